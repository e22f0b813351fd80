/**
 * An Aurora global database member failed over by the synthesized protect and failover workflows
 * under the deployed roles: protect snapshots nothing of it, failover promotes the global
 * database's member in the recovery region (a switchover: the primary region answers), restores
 * no cluster, and DNS names the promoted member's writer and reader endpoints; failback switches
 * the global database back to the home member (never a failover) and DNS follows it.
 */

import { DescribeDBClusterSnapshotsCommand, DescribeDBClustersCommand } from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from 'vitest';
import { modeledMs, modeledRto } from '../../cli/rehearsal/modeled-time';
import { createSampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { recordKey } from '../../lambdas/dns/record-key';
import { describeGlobalDatabase } from '../../lambdas/failover/global-database';
import { PROMOTING } from '../../lambdas/failover/recover-tier';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { deployLocalStack } from '../../local/local-stack';
import { useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { createGlobalDatabase } from '../recovery-points/global-database-estate';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const clients = () => createAwsClients();

/** A global database written by `shop-aurora` in the primary region, read by `shop-aurora-west`. */
function globalDatabase(): Promise<void> {
  return createGlobalDatabase((region) => clients().rds(region), {
    primary: PRIMARY,
    recovery: RECOVERY,
    cluster: 'shop-aurora',
  });
}

describe('failing over an Aurora global database member', { timeout: 300_000 }, () => {
  const aws = localAwsForTests(RECOVERY);
  afterEach(() => useInstantAws());

  it('switches over to the recovery member, restores nothing, and points DNS at its endpoints', async () => {
    // Prepare
    await aws.reset();
    const estate = await createSampleEstate(clients());
    await globalDatabase();
    const plan = samplePlanWith((p) => {
      p.healthChecks = [];
      p.failback = { ...p.failback, freeze: 'none' };
      p.tiers[0]?.resources.push({
        aurora: { clusterIdentifier: 'shop-aurora', role: 'orders', globalClusterIdentifier: 'shop-global' },
      });
      p.dns?.zones?.[0]?.records?.push(
        { name: 'orders-db.shop.example.com', type: 'CNAME', target: { database: 'shop-aurora' } },
        {
          name: 'orders-ro.shop.example.com',
          type: 'CNAME',
          target: { database: 'shop-aurora', endpoint: 'reader' },
        },
      );
    });
    const stack = await deployLocalStack(plan);
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
    iamLedger.clear();

    // Act
    const result = await stack.run('failover', { reason: 'aurora global' });

    // Assess: the run, and nothing a task asked for was denied
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(iamLedger.records.filter((r) => !r.allowed)).toEqual([]);
    const askedBy = (action: string) =>
      [...new Set(iamLedger.records.filter((r) => r.action === action).map((r) => r.handlerModule))].sort();
    expect(askedBy('rds:SwitchoverGlobalCluster')).toEqual(['lambdas/handlers/recover-tier.ts']);
    expect(askedBy('rds:FailoverGlobalCluster')).toEqual([]);
    expect(askedBy('rds:RestoreDBClusterFromSnapshot')).toEqual([]);

    // Assess: the recovery member writes; no cluster was restored and no snapshot of it copied
    const rds = clients().rds(RECOVERY);
    const db = await describeGlobalDatabase(rds, 'shop-global');
    expect(db?.members.find((m) => m.writer)?.clusterIdentifier).toBe('shop-aurora-west');
    const { DBClusters = [] } = await rds.send(new DescribeDBClustersCommand({}));
    expect(DBClusters.map((c) => c.DBClusterIdentifier)).toEqual(['shop-aurora-west']);
    const { DBClusterSnapshots = [] } = await rds.send(
      new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }),
    );
    expect(DBClusterSnapshots).toEqual([]);

    // Assess: DNS names the promoted member's writer endpoint, and its reader endpoint
    const west = DBClusters[0];
    const after = await listZoneRecords(clients().route53(), estate.zoneId);
    const byKey = new Map(after.map((r) => [recordKey(r), r]));
    const values = (key: string) => (byKey.get(key as never)?.ResourceRecords ?? []).map((v) => v.Value);
    expect(values('orders-db.shop.example.com. CNAME')).toEqual([west?.Endpoint]);
    expect(values('orders-ro.shop.example.com. CNAME')).toEqual([west?.ReaderEndpoint]);

    // Assess: the outcome says the member was promoted by a switchover, without data loss
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', PRIMARY);
    const artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
    const outcome = await artifacts.getJson<{ inventory: Record<string, unknown>[] }>(String(app.outcomeKey));
    expect(outcome.inventory.find((r) => r.kind === 'aurora')).toMatchObject({
      source: 'shop-aurora',
      recovered: 'shop-aurora-west',
      from: 'shop-global',
      created: false,
      promotedBy: 'switchover',
      dataLossAllowed: false,
      endpoint: west?.Endpoint,
    });

    // Act again: fail back
    iamLedger.clear();
    const failback = await stack.run('failback', {});

    // Assess: switched back (never failed over), nothing copied, restored, renamed or deleted
    expect(failback.status, failback.cause).toBe('SUCCEEDED');
    expect(iamLedger.records.filter((r) => !r.allowed)).toEqual([]);
    expect(askedBy('rds:SwitchoverGlobalCluster')).toEqual(['lambdas/handlers/sync-home.ts']);
    for (const action of [
      'rds:FailoverGlobalCluster',
      'rds:CreateDBClusterSnapshot',
      'rds:RestoreDBClusterFromSnapshot',
      'rds:ModifyDBCluster',
      'rds:DeleteDBCluster',
    ])
      expect(askedBy(action), action).toEqual([]);
    const home = await describeGlobalDatabase(clients().rds(PRIMARY), 'shop-global');
    expect(home?.members.find((m) => m.writer)?.clusterIdentifier).toBe('shop-aurora');
    const { DBClusters: eastClusters = [] } = await clients()
      .rds(PRIMARY)
      .send(new DescribeDBClustersCommand({}));
    const { DBClusters: westClusters = [] } = await rds.send(new DescribeDBClustersCommand({}));
    expect(eastClusters.map((c) => c.DBClusterIdentifier)).toEqual(['shop-aurora']);
    expect(westClusters.map((c) => c.DBClusterIdentifier)).toEqual(['shop-aurora-west']);

    // Assess: DNS names the home member's endpoints again
    const east = eastClusters[0];
    const back = await listZoneRecords(clients().route53(), estate.zoneId);
    const backByKey = new Map(back.map((r) => [recordKey(r), r]));
    const backValues = (key: string) =>
      (backByKey.get(key as never)?.ResourceRecords ?? []).map((v) => v.Value);
    expect(backValues('orders-db.shop.example.com. CNAME')).toEqual([east?.Endpoint]);
    expect(backValues('orders-ro.shop.example.com. CNAME')).toEqual([east?.ReaderEndpoint]);
  });

  it('waits out the switchover on realistic AWS, failing over and back, each a modeled few minutes', async () => {
    // Prepare
    await aws.reset();
    await createSampleEstate(clients());
    await globalDatabase();
    const plan = samplePlanWith((p) => {
      p.healthChecks = [];
      p.failback = { ...p.failback, freeze: 'none' };
      p.tiers[0]?.resources.push({
        aurora: { clusterIdentifier: 'shop-aurora', role: 'orders', globalClusterIdentifier: 'shop-global' },
      });
    });
    const stack = await deployLocalStack(plan);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    useRealisticAws({ seed: 5, faultRate: 0, throttling: false });

    // Act
    const failover = await stack.run('failover', { reason: 'aurora global, realistic' });
    const failback = await stack.run('failback', {});

    // Assess: both waited for the global database to settle (the switchover is minutes, not instant)
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
    expect(failback.status, failback.cause).toBe('SUCCEEDED');
    const laggardStates = (run: typeof failover, state: string) =>
      run.taskInvocations.filter((t) => JSON.stringify(t.output ?? {}).includes(`"state":"${state}"`)).length;
    expect(laggardStates(failover, PROMOTING)).toBeGreaterThan(0);
    expect(laggardStates(failback, 'switching-over')).toBeGreaterThan(0);
    const tierMs =
      modeledRto(
        failover.events,
        plan.tiers.map((t) => t.name),
      ).tiers[0]?.ms ?? 0;
    expect(tierMs).toBeGreaterThan(2 * 60_000);
    expect(modeledMs(failback.events)).toBeGreaterThan(2 * 60_000);
    useInstantAws();
    const db = await describeGlobalDatabase(clients().rds(PRIMARY), 'shop-global');
    expect(db?.members.find((m) => m.writer)?.clusterIdentifier).toBe('shop-aurora');
  });
});
