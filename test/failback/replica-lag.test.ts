import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { DBInstance } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { latestReplicaLag, replicaNotCaughtUp } from '../../lambdas/failback/replica-lag';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localAwsForTests } from '../support/local-aws';

localAwsForTests('us-east-1');

const replica = (status?: string, normal = true): DBInstance => ({
  DBInstanceIdentifier: 'shop-db-fb-1a2b3c4d',
  ...(status ? { StatusInfos: [{ StatusType: 'read replication', Status: status, Normal: normal }] } : {}),
});

describe('a home replica is promoted only once it has caught up', () => {
  it('waits while the replica lags, and goes ahead at (almost) zero lag', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    expect(replicaNotCaughtUp(replica('replicating'), { seconds: 42, at })).toMatch(/42s behind/);
    expect(replicaNotCaughtUp(replica('replicating'), { seconds: 0, at })).toBeUndefined();
    expect(replicaNotCaughtUp(replica('replicating'), { seconds: 1, at })).toBeUndefined();
    expect(replicaNotCaughtUp(replica(), undefined)).toBeUndefined();
  });

  it('after a write freeze: only a zero lag measured after the freeze will do', () => {
    const frozenAt = new Date('2026-12-01T10:00:30Z');
    const before = new Date('2026-12-01T10:00:00Z');
    const after = new Date('2026-12-01T10:01:00Z');
    expect(replicaNotCaughtUp(replica('replicating'), undefined, frozenAt)).toMatch(
      /no ReplicaLag reading since/,
    );
    expect(replicaNotCaughtUp(replica('replicating'), { seconds: 0, at: before }, frozenAt)).toMatch(
      /no ReplicaLag reading since/,
    );
    expect(replicaNotCaughtUp(replica('replicating'), { seconds: 1, at: after }, frozenAt)).toMatch(
      /1s behind/,
    );
    expect(replicaNotCaughtUp(replica('replicating'), { seconds: 0, at: after }, frozenAt)).toBeUndefined();
  });

  it('fails, rather than waits, when replication is broken', () => {
    expect(() => replicaNotCaughtUp(replica('error', false), undefined)).toThrow(/cannot catch up/);
  });

  it('reads the latest ReplicaLag datapoint from CloudWatch', async () => {
    // Prepare: two minutes of lag, the later one smaller
    const cloudWatch = createAwsClients().cloudWatch('us-east-1');
    const now = new Date();
    for (const [minutesAgo, lag] of [
      [2, 30],
      [1, 5],
    ] as const) {
      await cloudWatch.send(
        new PutMetricDataCommand({
          Namespace: 'AWS/RDS',
          MetricData: [
            {
              MetricName: 'ReplicaLag',
              Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'shop-db-fb-1a2b3c4d' }],
              Timestamp: new Date(now.getTime() - minutesAgo * 60_000),
              Value: lag,
              Unit: 'Seconds',
            },
          ],
        }),
      );
    }
    // Act + Assess
    expect((await latestReplicaLag(cloudWatch, 'shop-db-fb-1a2b3c4d', now))?.seconds).toBe(5);
    expect(await latestReplicaLag(cloudWatch, 'another-db', now)).toBeUndefined();
  });
});
