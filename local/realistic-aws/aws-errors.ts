/**
 * Errors as the SDK would surface them from AWS's answers: the same class, name, fault and HTTP
 * status, so the SDK's retry strategy and the product's error handling see what they would see.
 */
import { createRequire } from 'node:module';

type ServiceExceptionClass = new (options: {
  name: string;
  $fault: 'client' | 'server';
  message: string;
  $metadata: { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number };
}) => Error;

const fromSdk = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-ec2'));
const { ServiceException } = fromSdk('@smithy/core/client') as { ServiceException: ServiceExceptionClass };

let requestCounter = 0;

export function awsError(name: string, httpStatusCode: number, message: string): Error {
  requestCounter += 1;
  const error = new ServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    message,
    $metadata: {
      httpStatusCode,
      requestId: `local-realistic-${requestCounter}`,
      attempts: 1,
      totalRetryDelay: 0,
    },
  });
  // The query protocols (EC2, RDS) also carry the code as `Code`.
  return Object.assign(error, { Code: name });
}

/** What each service answers a throttled call with. */
export function throttled(service: string): Error {
  if (service === 'EC2') return awsError('RequestLimitExceeded', 503, 'Request limit exceeded.');
  return awsError('Throttling', 400, 'Rate exceeded');
}

/** A transient server fault, as each service names it. */
export function serverFault(service: string, unavailable: boolean): Error {
  if (service === 'EC2')
    return unavailable
      ? awsError('Unavailable', 503, 'The server is overloaded and cannot handle the request.')
      : awsError('InternalError', 500, 'An internal error has occurred.');
  return unavailable
    ? awsError('ServiceUnavailable', 503, 'Service is unavailable.')
    : awsError('InternalFailure', 500, 'The request processing has failed because of an unknown error.');
}
