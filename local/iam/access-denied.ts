/**
 * A denied call fails as AWS fails it: the service's own error code, HTTP 403, and the message
 * AWS gives ("User: … is not authorized to perform: … on resource: …").
 */
const DENIED_ERROR_CODE: Record<string, string> = {
  EC2: 'UnauthorizedOperation',
  RDS: 'AccessDenied',
  Route53: 'AccessDenied',
  S3: 'AccessDenied',
  CloudWatch: 'AccessDenied',
  SNS: 'AuthorizationError',
  DynamoDB: 'AccessDeniedException',
  Lambda: 'AccessDeniedException',
  SecretsManager: 'AccessDeniedException',
  SFN: 'AccessDeniedException',
};

export class AccessDeniedError extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 403, attempts: 1, totalRetryDelay: 0 };
  readonly Code: string;
  constructor(
    service: string,
    readonly principal: string,
    readonly action: string,
    readonly resource: string,
    readonly reason: string,
  ) {
    super(
      `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} because ${reason}`,
    );
    this.name = DENIED_ERROR_CODE[service] ?? 'AccessDenied';
    this.Code = this.name;
  }
}
