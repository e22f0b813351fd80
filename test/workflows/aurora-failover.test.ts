/**
 * An Aurora cluster failed over by the synthesized failover workflow under the deployed roles: the
 * cluster is restored from its cluster snapshot point in the recovery region, its writer and
 * readers are created as it becomes available, and DNS names its writer endpoint.
 */
import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { modeledRto } from '../../cli/rehearsal/modeled-time';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { recordKey } from '../../lambdas/dns/record-key';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotIdentifier } from '../../lambdas/recovery-points/recovery-point-names';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const clients = () => createAwsClients();
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

/**
 * A cluster snapshot point in the recovery region, as protect leaves one (its tags, its name, the
 * number of readers): made from a stand-in cluster there, since moto copies no cluster snapshot
 * between regions. Encrypted with the recovery region's key, as a copy under the plan's key is.
 */
async function seedClusterPoint(keyArn: string, takenAt: Date): Promise<string> {
  const rds = clients().rds(RECOVERY);
  const sourceTags = { Name: 'orders-db', team: 'orders' };
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: 'shop-aurora',
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
      StorageEncrypted: true,
      KmsKeyId: keyArn,
      Tags: tags(sourceTags),
    }),
  );
  const id = dbSnapshotIdentifier('shop', 'shop-aurora', takenAt, 'protect-1');
  await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: 'shop-aurora',
      DBClusterSnapshotIdentifier: id,
      Tags: tags({
        ...sourceTags,
        [TAG.app]: 'shop',
        [TAG.tier]: 'data',
        [TAG.role]: 'orders',
        [TAG.source]: 'shop-aurora',
        [TAG.takenAt]: takenAt.toISOString(),
        [TAG.protectRun]: 'protect-1',
        [TAG.kind]: 'recovery-point',
        [TAG.sourceType]: 'db.r6g.large',
        [TAG.readers]: '2',
      }),
    }),
  );
  return id;
}

describe('failing over an Aurora cluster', { timeout: 300_000 }, () => {
  const aws = localAwsForTests(RECOVERY);
  let plan: Plan;
  let estate: SampleEstate;
  let keys: EstateKeys;
  let stack: LocalStack;
  let pointId: string;

  afterEach(() => useInstantAws());

  /** The sample estate protected, and the cluster's recovery point in the recovery region. */
  async function prepare() {
    await aws.reset();
    keys = await createEstateKeys(PRIMARY, RECOVERY, 'shop-orders');
    estate = await createSampleEstate(clients());
    plan = samplePlanWith((p) => {
      p.healthChecks = [];
      p.tiers[0]?.resources.push({
        aurora: { clusterIdentifier: 'shop-aurora', role: 'orders', kmsKeys: keys.planKeys },
      });
      p.placement = { ...p.placement, orders: { dbSubnetGroup: 'shop-recovery-db' } };
      p.failback = { ...p.failback, freeze: 'none' };
      p.dns?.zones?.[0]?.records?.push({
        name: 'orders-db.shop.example.com',
        type: 'CNAME',
        target: { database: 'shop-aurora' },
      });
      p.dns?.zones?.[0]?.records?.push({
        name: 'orders-ro.shop.example.com',
        type: 'CNAME',
        target: { database: 'shop-aurora', endpoint: 'reader' },
      });
    });
    stack = await deployLocalStack(plan);
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
    pointId = await seedClusterPoint(keys.arns[RECOVERY] ?? '', new Date());
    iamLedger.clear();
  }

  it('restores the cluster with a writer and its readers under the recovery key, and points DNS at its writer', async () => {
    // Prepare
    await prepare();

    // Act
    const result = await stack.run('failover', { reason: 'aurora' });

    // Assess: the run, and nothing a task asked for was denied
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(iamLedger.records.filter((r) => !r.allowed)).toEqual([]);
    const askedBy = (action: string) =>
      [...new Set(iamLedger.records.filter((r) => r.action === action).map((r) => r.handlerModule))].sort();
    expect(askedBy('rds:RestoreDBClusterFromSnapshot')).toEqual(['lambdas/handlers/recover-tier.ts']);
    expect(askedBy('rds:CreateDBInstance')).toEqual(['lambdas/handlers/check-tier-ready.ts']);

    // Assess: the restored cluster, its key and tags
    const rds = clients().rds(RECOVERY);
    const { DBClusters = [] } = await rds.send(new DescribeDBClustersCommand({}));
    const restored = DBClusters.filter((c) => c.DBClusterIdentifier?.startsWith('shop-aurora-pf-'));
    expect(restored).toHaveLength(1);
    const cluster = restored[0];
    expect(cluster).toMatchObject({ StorageEncrypted: true, KmsKeyId: keys.arns[RECOVERY] });
    const clusterTags = Object.fromEntries((cluster?.TagList ?? []).map((t) => [t.Key, t.Value]));
    expect(clusterTags).toMatchObject({
      Name: 'orders-db',
      team: 'orders',
      [TAG.app]: 'shop',
      [TAG.source]: 'shop-aurora',
    });

    // Assess: a writer and the captured two readers, the writer first
    const id = cluster?.DBClusterIdentifier ?? '';
    const members = cluster?.DBClusterMembers ?? [];
    expect(members.map((m) => [m.DBInstanceIdentifier, m.IsClusterWriter]).sort()).toEqual([
      [`${id}-1`, true],
      [`${id}-2`, false],
      [`${id}-3`, false],
    ]);
    const { DBInstances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [id] }] }),
    );
    expect(DBInstances.map((d) => d.DBInstanceClass)).toEqual([
      'db.r6g.large',
      'db.r6g.large',
      'db.r6g.large',
    ]);

    // Assess: DNS names the cluster's writer endpoint, and its reader endpoint where the plan says reader
    const after = await listZoneRecords(clients().route53(), estate.zoneId);
    const byKey = new Map(after.map((r) => [recordKey(r), r]));
    const values = (key: string) => (byKey.get(key as never)?.ResourceRecords ?? []).map((v) => v.Value);
    expect(values('orders-db.shop.example.com. CNAME')).toEqual([cluster?.Endpoint]);
    expect(values('orders-ro.shop.example.com. CNAME')).toEqual([cluster?.ReaderEndpoint]);
    expect(cluster?.ReaderEndpoint).not.toEqual(cluster?.Endpoint);

    // Assess: the outcome lists the cluster as what it is
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', PRIMARY);
    const artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
    const outcome = await artifacts.getJson<{ inventory: Record<string, unknown>[] }>(String(app.outcomeKey));
    expect(outcome.inventory.find((r) => r.kind === 'aurora')).toMatchObject({
      source: 'shop-aurora',
      recovered: id,
      from: pointId,
      endpoint: cluster?.Endpoint,
    });
  });

  it('waits out a cluster restore and its instances on realistic AWS, then has one cluster with all its instances', async () => {
    // Prepare: the cluster is creating for minutes, then each instance for minutes more
    await prepare();
    useRealisticAws({ seed: 3 });

    // Act
    const result = await stack.run('failover', { reason: 'aurora, realistic' });

    // Assess: the run finished after tens of modeled minutes (restores, then instances, awaited)
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const rto = modeledRto(
      result.events,
      plan.tiers.map((t) => t.name),
    );
    expect(rto.tiers[0]?.ms ?? 0).toBeGreaterThan(15 * 60_000);
    useInstantAws();
    const { DBClusters = [] } = await clients().rds(RECOVERY).send(new DescribeDBClustersCommand({}));
    const restored = DBClusters.filter((c) => c.DBClusterIdentifier?.startsWith('shop-aurora-pf-'));
    expect(restored).toHaveLength(1);
    expect(restored[0]?.DBClusterMembers).toHaveLength(3);
  });

  it('drills the cluster under drill names and tears the drill cluster and its instances down', async () => {
    // Prepare
    await prepare();
    let during: string[] = [];

    // Act
    const result = await stack.run(
      'failover',
      { mode: 'drill' },
      {
        taskOverrides: {
          TearDownDrill: async (payload, call) => {
            const { DBClusters = [] } = await clients().rds(RECOVERY).send(new DescribeDBClustersCommand({}));
            during = DBClusters.map((c) => c.DBClusterIdentifier ?? '').filter((id) =>
              id.startsWith('shop-aurora-dr-'),
            );
            return call.invokeOriginal?.(payload);
          },
        },
      },
    );

    // Assess: the drill restored a cluster, the deployed roles allowed all of it, and none is left
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(iamLedger.records.filter((r) => !r.allowed)).toEqual([]);
    expect(during).toHaveLength(1);
    const rds = clients().rds(RECOVERY);
    const { DBClusters = [] } = await rds.send(new DescribeDBClustersCommand({}));
    expect(DBClusters.map((c) => c.DBClusterIdentifier)).toEqual(['shop-aurora']);
    const { DBInstances = [] } = await rds.send(new DescribeDBInstancesCommand({}));
    expect(DBInstances.filter((d) => d.DBInstanceIdentifier?.startsWith('shop-aurora-'))).toEqual([]);
  });
});
