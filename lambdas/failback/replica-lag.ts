/**
 * Has the home replica caught up with the recovery database? It is promoted only when it has:
 * promoting earlier would leave the last writes behind in the recovery region.
 */
import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import type { DBInstance } from '@aws-sdk/client-rds';
import { ValidationFailedError } from '../runtime/task-errors';

/** Seconds of ReplicaLag still accepted as caught up (RDS reports whole seconds, once a minute). */
export const CAUGHT_UP_LAG_SECONDS = 1;

/**
 * `undefined` when the replica may be promoted; otherwise why not yet. A broken replication is not
 * a wait but a failure: the data could never arrive.
 */
export function replicaNotCaughtUp(replica: DBInstance, lagSeconds: number | undefined): string | undefined {
  const replication = replica.StatusInfos?.find((s) => s.StatusType === 'read replication');
  if (
    replication &&
    (replication.Normal === false || ['error', 'terminated', 'stopped'].includes(replication.Status ?? ''))
  ) {
    throw new ValidationFailedError(
      `replication to ${replica.DBInstanceIdentifier} is ${replication.Status}${replication.Message ? `: ${replication.Message}` : ''}; it cannot catch up`,
    );
  }
  if (lagSeconds !== undefined && lagSeconds > CAUGHT_UP_LAG_SECONDS) {
    return `${replica.DBInstanceIdentifier} is ${lagSeconds}s behind the recovery database`;
  }
  return undefined;
}

/** The latest ReplicaLag datapoint of the last five minutes, if CloudWatch has one. */
export async function latestReplicaLag(
  cloudWatch: CloudWatchClient,
  identifier: string,
  now = new Date(),
): Promise<number | undefined> {
  const { Datapoints = [] } = await cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/RDS',
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: identifier }],
      StartTime: new Date(now.getTime() - 5 * 60_000),
      EndTime: now,
      Period: 60,
      Statistics: ['Maximum'],
    }),
  );
  const latest = [...Datapoints].sort(
    (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
  )[0];
  return latest?.Maximum;
}
