/**
 * Has the home replica caught up with the recovery database? It is promoted only when it has:
 * promoting earlier would leave the last writes behind in the recovery region.
 *
 * With a write freeze, "caught up" means a ReplicaLag of zero measured after the freeze held: a
 * reading from before it says nothing about the writes made until the freeze. Without a freeze
 * (`failback.freeze: none`) a lag of at most a second is accepted, and the writes after that reading
 * are the window the report calls at risk.
 */
import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import type { DBInstance } from '@aws-sdk/client-rds';
import { ValidationFailedError } from '../runtime/task-errors';

/** Seconds of ReplicaLag still accepted as caught up without a freeze (RDS reports whole seconds, once a minute). */
export const CAUGHT_UP_LAG_SECONDS = 1;

/** One ReplicaLag datapoint: its maximum over the minute and when that minute began. */
export interface LagReading {
  readonly seconds: number;
  readonly at: Date;
}

/**
 * `undefined` when the replica may be promoted; otherwise why not yet. A broken replication is not
 * a wait but a failure: the data could never arrive.
 */
export function replicaNotCaughtUp(
  replica: DBInstance,
  reading: LagReading | undefined,
  frozenAt?: Date,
): string | undefined {
  const replication = replica.StatusInfos?.find((s) => s.StatusType === 'read replication');
  if (
    replication &&
    (replication.Normal === false || ['error', 'terminated', 'stopped'].includes(replication.Status ?? ''))
  ) {
    throw new ValidationFailedError(
      `replication to ${replica.DBInstanceIdentifier} is ${replication.Status}${replication.Message ? `: ${replication.Message}` : ''}; it cannot catch up`,
    );
  }
  const id = replica.DBInstanceIdentifier;
  if (frozenAt) {
    if (!reading || reading.at.getTime() < frozenAt.getTime())
      return `${id}: no ReplicaLag reading since the write freeze at ${frozenAt.toISOString()} yet`;
    if (reading.seconds > 0) return `${id} is ${reading.seconds}s behind the frozen recovery database`;
    return undefined;
  }
  if (reading && reading.seconds > CAUGHT_UP_LAG_SECONDS) {
    return `${id} is ${reading.seconds}s behind the recovery database`;
  }
  return undefined;
}

/** The latest ReplicaLag datapoint of the last five minutes, if CloudWatch has one. */
export async function latestReplicaLag(
  cloudWatch: CloudWatchClient,
  identifier: string,
  now = new Date(),
): Promise<LagReading | undefined> {
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
  return latest?.Maximum !== undefined && latest.Timestamp
    ? { seconds: latest.Maximum, at: latest.Timestamp }
    : undefined;
}
