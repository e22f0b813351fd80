import { Duration } from 'aws-cdk-lib';

/** Scheduler accepts a maximum event age between one minute and one day. */
export function clampEventAge(age: Duration): Duration {
  const seconds = Math.min(86_400, Math.max(60, Math.floor(age.toSeconds())));
  return Duration.seconds(seconds);
}
