/**
 * An Aurora cluster failed over and brought home by the synthesized workflows under the deployed
 * roles: protect snapshots the primary cluster, failover restores it in the recovery region, and
 * failback snapshots the recovery cluster after the freeze, copies the snapshot home under the
 * primary's key, restores it with its writer and readers, gives it the plan's identifier, moves
 * DNS to its endpoints, and retires the stale and the recovery clusters with final snapshots.
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  type DBCluster,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { modeledMs } from '../../cli/rehearsal/modeled-time';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { recordKey } from '../../lambdas/dns/record-key';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
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
const CLUSTER = 'shop-aurora';
const ESTATE_TAGS = { Name: 'orders-db', team: 'orders', 'cost-centre': 'cc-42' };
const clients = () => createAwsClients();
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

/** The estate's cluster in the primary region: encrypted with the primary key, a writer and a reader. */
async function createPrimaryCluster(keyArn: string): Promise<void> {
  const rds = clients().rds(PRIMARY);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: CLUSTER,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
      StorageEncrypted: true,
      KmsKeyId: keyArn,
      Tags: tags(ESTATE_TAGS),
    }),
  );
  for (const id of ['orders-writer', 'orders-reader'])
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        DBClusterIdentifier: CLUSTER,
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.xlarge',
        Tags: tags(ESTATE_TAGS),
      }),
    );
}

async function clustersIn(region: string): Promise<DBCluster[]> {
  const { DBClusters = [] } = await clients().rds(region).send(new DescribeDBClustersCommand({}));
  return DBClusters;
}

describe('failing an Aurora cluster back home', { timeout: 300_000 }, () => {
  const aws = localAwsForTests(RECOVERY);
  let plan: Plan;
  let estate: SampleEstate;
  let keys: EstateKeys;
  let stack: LocalStack;

  afterEach(() => useInstantAws());

  /** The estate protected and failed over, its cluster running in the recovery region. */
  async function failedOver() {
    await aws.reset();
    keys = await createEstateKeys(PRIMARY, RECOVERY, 'shop-orders');
    estate = await createSampleEstate(clients());
    await createPrimaryCluster(keys.arns[PRIMARY] ?? '');
    plan = samplePlanWith((p) => {
      p.healthChecks = [];
      p.tiers[0]?.resources.push({
        aurora: { clusterIdentifier: CLUSTER, role: 'orders', kmsKeys: keys.planKeys },
      });
      p.placement = { ...p.placement, orders: { dbSubnetGroup: 'shop-recovery-db' } };
      p.failback = { ...p.failback, freeze: 'none' };
      p.dns?.zones?.[0]?.records?.push(
        { name: 'orders-db.shop.example.com', type: 'CNAME', target: { database: CLUSTER } },
        {
          name: 'orders-ro.shop.example.com',
          type: 'CNAME',
          target: { database: CLUSTER, endpoint: 'reader' },
        },
      );
    });
    stack = await deployLocalStack(plan);
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
    const failover = await stack.run('failover', { reason: 'aurora' });
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
    iamLedger.clear();
  }

  it('brings the cluster home under the primary key with its shape and tags, moves DNS to it, and retires both old clusters with final snapshots', async () => {
    // Prepare
    await failedOver();
    const recovered = (await clustersIn(RECOVERY)).find((c) =>
      c.DBClusterIdentifier?.startsWith(`${CLUSTER}-pf-`),
    );
    expect(recovered).toBeDefined();

    // Act
    const result = await stack.run('failback', {});

    // Assess: the run, and nothing a task asked for was denied
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(iamLedger.records.filter((r) => !r.allowed)).toEqual([]);

    // Assess: the home cluster under the plan's identifier, under the primary key, with the estate's tags
    const home = (await clustersIn(PRIMARY)).find((c) => c.DBClusterIdentifier === CLUSTER);
    expect(home).toMatchObject({ StorageEncrypted: true, KmsKeyId: keys.arns[PRIMARY], Status: 'available' });
    expect(tagMap(home?.TagList)).toMatchObject({ ...ESTATE_TAGS, [TAG.app]: 'shop', [TAG.source]: CLUSTER });
    expect(tagMap(home?.TagList)[TAG.failback]).toBeDefined();

    // Assess: a writer and as many readers as the recovery cluster had, of the primary writer's class
    const members = home?.DBClusterMembers ?? [];
    expect(members).toHaveLength(recovered?.DBClusterMembers?.length ?? 0);
    expect(members.filter((m) => m.IsClusterWriter)).toHaveLength(1);
    const { DBInstances = [] } = await clients()
      .rds(PRIMARY)
      .send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [CLUSTER] }] }));
    expect(new Set(DBInstances.map((d) => d.DBInstanceClass))).toEqual(new Set(['db.r6g.xlarge']));

    // Assess: DNS names the home cluster's writer and reader endpoints
    const zone = await listZoneRecords(clients().route53(), estate.zoneId);
    const byKey = new Map(zone.map((r) => [recordKey(r) as string, r]));
    const values = (key: string) => (byKey.get(key)?.ResourceRecords ?? []).map((v) => v.Value);
    expect(values('orders-db.shop.example.com. CNAME')).toEqual([home?.Endpoint]);
    expect(values('orders-ro.shop.example.com. CNAME')).toEqual([home?.ReaderEndpoint]);

    // Assess: the outcome judges the cluster's data: with freeze none, writes after its sync point are at risk
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', PRIMARY);
    const artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
    const outcome = await artifacts.getJson<{
      rpo: { orderHeld: boolean; problems: string[] };
      dataSync: Record<string, unknown>[];
    }>(String(app.failbackOutcomeKey));
    expect(outcome.dataSync.find((d) => d.source === CLUSTER)).toMatchObject({
      kind: 'aurora',
      strategy: 'snapshot',
      from: recovered?.DBClusterIdentifier,
      syncPointAt: expect.any(String),
    });
    expect(outcome.rpo.orderHeld).toBe(false);
    expect(outcome.rpo.problems.join('; ')).toMatch(/no write freeze/);

    // Assess: the stale primary cluster and the recovery cluster are gone, each with a final snapshot
    expect((await clustersIn(PRIMARY)).map((c) => c.DBClusterIdentifier)).toEqual([CLUSTER]);
    expect((await clustersIn(RECOVERY)).map((c) => c.DBClusterIdentifier)).not.toContain(
      recovered?.DBClusterIdentifier,
    );
    const finals = async (region: string) => {
      const { DBClusterSnapshots = [] } = await clients()
        .rds(region)
        .send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
      return DBClusterSnapshots.filter((s) => tagMap(s.TagList)['pendulum:final'] !== undefined);
    };
    expect(await finals(PRIMARY)).toHaveLength(1);
    expect(await finals(RECOVERY)).toHaveLength(1);
    // The estate's own writer and reader went with the stale cluster
    const { DBInstances: left = [] } = await clients().rds(PRIMARY).send(new DescribeDBInstancesCommand({}));
    expect(left.map((d) => d.DBInstanceIdentifier)).not.toContain('orders-writer');
  });

  it('waits out the cluster snapshot, its copy, the restore, each instance and the renames on realistic AWS, and ends with one home cluster with all its instances', async () => {
    // Prepare: failed over at once; failback on AWS that takes as long as AWS does
    await failedOver();
    useRealisticAws({ seed: 7, faultRate: 0, throttling: false });

    // Act
    const result = await stack.run('failback', {});

    // Assess: tens of modeled minutes (snapshot, cross-region copy, restore, instances, renames)
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(modeledMs(result.events)).toBeGreaterThan(30 * 60_000);
    useInstantAws();
    const home = (await clustersIn(PRIMARY)).filter((c) => c.DBClusterIdentifier?.startsWith(CLUSTER));
    expect(home.map((c) => c.DBClusterIdentifier)).toEqual([CLUSTER]);
    expect(home[0]?.DBClusterMembers?.length).toBeGreaterThanOrEqual(1);
    expect(tagMap(home[0]?.TagList)[TAG.failback]).toBeDefined();
  });
});
