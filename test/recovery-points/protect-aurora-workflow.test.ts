/**
 * The protect workflow of a plan that names an Aurora cluster, synthesized and run locally against
 * moto with every task call authorized against its deployed role: forward, the cluster's snapshot
 * is copied to the recovery region under the plan's key; while failed over, the recovered cluster's
 * is kept there and copied to the primary. RPO publishing reads the cluster points as its role.
 */
import { DescribeDBClusterSnapshotsCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { episodeDbIdentifier } from '../../lambdas/failover/rds-recovery';
import type { PublishRpoAgeResult } from '../../lambdas/handlers/publish-rpo-age';
import { listClusterRecoveryPoints } from '../../lambdas/recovery-points/cluster-recovery-points';
import { REVERSE_POINT_KIND, TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { appKey, StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { runScheduleTarget } from '../../local/scheduled-target';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';
import { createAuroraCluster } from './aurora-estate';
import { createEstate, PRIMARY, RECOVERY } from './estate';

const clients = () => createAwsClients();

async function clusterSnapshots(region: string) {
  const { DBClusterSnapshots = [] } = await clients()
    .rds(region)
    .send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
  return DBClusterSnapshots;
}

describe('the protect workflow of a plan with an Aurora cluster (IAM enforced)', { timeout: 120_000 }, () => {
  localAwsForTests(RECOVERY);
  let stack: LocalStack;
  let keys: EstateKeys;

  const publishRpo = async () => {
    // The plan is embedded in the bundle at synth time; locally it rides in the environment.
    const saved = process.env.PENDULUM_PLAN;
    process.env.PENDULUM_PLAN = JSON.stringify(stack.plan);
    try {
      const run = await runScheduleTarget({
        template: stack.template,
        schedule: 'RpoMonitoringSchedule',
        resolve: { region: stack.region, stackName: stack.stackName, accountId: '123456789012' },
      });
      return run.result as PublishRpoAgeResult;
    } finally {
      if (saved === undefined) delete process.env.PENDULUM_PLAN;
      else process.env.PENDULUM_PLAN = saved;
    }
  };

  beforeAll(async () => {
    keys = await createEstateKeys(PRIMARY, RECOVERY);
    await createEstate(clients());
    await createAuroraCluster(clients().rds(PRIMARY), {
      id: 'shop-aurora',
      readers: 1,
      kmsKeyId: keys.arns[PRIMARY],
    });
    stack = await deployLocalStack(
      samplePlanWith((p) => {
        p.tiers.push({
          name: 'orders',
          rpo: '1h',
          rto: '1h',
          resources: [{ aurora: { clusterIdentifier: 'shop-aurora' } }],
        });
        p.failback = { ...p.failback, freeze: 'none' };
      }),
    );
  }, 120_000);

  it('snapshots the cluster and copies it under the recovery key, leaving no intermediate; RPO counts it', async () => {
    // Act
    const run = await stack.run('protect', { tiers: ['orders'] }, { executionName: 'protect-aurora' });
    const rpo = await publishRpo();

    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ results: [{ tier: 'orders', captured: 1, done: true }] });
    expect(await listClusterRecoveryPoints(clients().rds(RECOVERY), 'shop')).toMatchObject([
      {
        kind: 'db-cluster-snapshot',
        source: 'shop-aurora',
        tier: 'orders',
        protectRun: 'protect-aurora',
        sourceType: 'db.r6g.large',
        storage: { kmsKeyId: keys.arns[RECOVERY] },
        cluster: { engine: 'aurora-postgresql', readers: 1 },
      },
    ]);
    expect(await clusterSnapshots(PRIMARY)).toEqual([]);
    expect(rpo.tiers.find((t) => t.tier === 'orders')).toMatchObject({
      resourcesWithoutRecoveryPoint: 0,
      withinRpo: true,
    });
  });

  it('while failed over, snapshots the recovered cluster, keeps the point there and copies it to the primary', async () => {
    // Prepare: what a failover leaves: the cluster restored in the recovery region, its outcome
    // (inventory) and the app's status.
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    await createAuroraCluster(clients().rds(RECOVERY), {
      id: recovered,
      readers: 1,
      kmsKeyId: keys.arns[RECOVERY],
      tags: { [TAG.app]: 'shop', [TAG.failover]: 'f-1' },
    });
    const outcomeKey = 'runs/shop/failover-1/outcome.json';
    await new ArtifactStore(clients().s3(), stack.bucketName).putJson(outcomeKey, {
      inventory: [{ kind: 'aurora', tier: 'orders', role: 'shop-aurora', source: 'shop-aurora', recovered }],
    });
    await new StateTable(clients().dynamo(), stack.tableName).put({
      ...appKey('shop'),
      app: 'shop',
      status: 'FAILED_OVER',
      activeRegion: RECOVERY,
      outcomeKey,
      failoverId: 'f-1',
      updatedAt: new Date().toISOString(),
    });

    // Act
    const run = await stack.run('protect', { tiers: ['orders'] }, { executionName: 'protect-reverse' });
    const rpo = await publishRpo();

    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ results: [{ tier: 'orders', direction: 'reverse', captured: 1 }] });
    for (const region of [RECOVERY, PRIMARY]) {
      const points = (await clusterSnapshots(region)).filter(
        (s) => tagMap(s.TagList)[TAG.kind] === REVERSE_POINT_KIND,
      );
      expect(
        points.map((s) => [tagMap(s.TagList)[TAG.source], tagMap(s.TagList)[TAG.origin]]),
        region,
      ).toEqual([[recovered, 'shop-aurora']]);
      expect(points[0]?.KmsKeyId).toBe(keys.arns[region]);
      expect(points[0]?.DBClusterSnapshotIdentifier).toMatch(/^pendulum-shop-rv-/);
    }
    expect(rpo).toMatchObject({ direction: 'reverse', region: PRIMARY });
    expect(rpo.tiers.find((t) => t.tier === 'orders')).toMatchObject({ resourcesWithoutRecoveryPoint: 0 });
  });
});
