/** The region field of an ARN (`arn:partition:service:REGION:account:resource`), or `fallback` when it is empty. */
export function arnRegion(arn: string, fallback: string): string {
  const region = arn.split(':')[3];
  return region === undefined || region === '' ? fallback : region;
}

/** Where this code runs: the region of last resort for an ARN without one. */
export function ownRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}
