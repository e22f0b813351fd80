/**
 * Aurora clusters captured like databases, against moto: a cluster snapshot in the capture region,
 * copied under the destination region's key, the intermediate gone (forward) or kept (reverse),
 * and the point listed with the cluster's shape.
 */
import { DescribeDBClusterSnapshotsCommand, type RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Tier } from '../../lambdas/plan/plan-schema';
import type { CaptureContext } from '../../lambdas/recovery-points/capture';
import { captureClusters } from '../../lambdas/recovery-points/cluster-capture';
import { listClusterRecoveryPoints } from '../../lambdas/recovery-points/cluster-recovery-points';
import { resolveRecoveredSources } from '../../lambdas/recovery-points/recovered-sources';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotIdentifier } from '../../lambdas/recovery-points/recovery-point-names';
import { resolveProtectedSources } from '../../lambdas/recovery-points/resolve-protected-sources';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { localAwsForTests } from '../support/local-aws';
import { createAuroraCluster } from './aurora-estate';
import { PRIMARY, RECOVERY } from './estate';

const T0 = new Date('2026-03-01T12:00:00.000Z');
const tier: Tier = {
  name: 'data',
  rpo: '1h',
  rto: '30m',
  resources: [{ aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } }],
} as Tier;

async function clusterSnapshots(rds: RDSClient) {
  const { DBClusterSnapshots = [] } = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }),
  );
  return DBClusterSnapshots;
}

describe('Aurora cluster capture against moto', () => {
  const aws = localAwsForTests(RECOVERY);
  let clients: AwsClients;
  let keys: EstateKeys;
  const ctx = (overrides: Partial<CaptureContext> = {}): CaptureContext => ({
    app: 'shop',
    tier: 'data',
    protectRun: 'run-1',
    direction: 'forward',
    captureRegion: PRIMARY,
    copyRegion: RECOVERY,
    noReboot: true,
    now: T0,
    copyKey: async () => ({ encrypt: true, keyId: keys.arns[RECOVERY] as string }),
    ...overrides,
  });

  beforeEach(async () => {
    await aws.reset();
    clients = createAwsClients();
    keys = await createEstateKeys(PRIMARY, RECOVERY);
    await createAuroraCluster(clients.rds(PRIMARY), {
      id: 'shop-aurora',
      readers: 2,
      kmsKeyId: keys.arns[PRIMARY],
      tags: { Team: 'orders' },
    });
  });

  it('resolves a cluster with its writer class, its readers and its tags; a missing one is missing', async () => {
    // Prepare
    const withMissing = {
      ...tier,
      resources: [...tier.resources, { aurora: { clusterIdentifier: 'gone-aurora' } }],
    } as Tier;

    // Act
    const resolved = await resolveProtectedSources(
      { ec2: clients.ec2(PRIMARY), rds: clients.rds(PRIMARY) },
      withMissing,
      'shop',
    );

    // Assess
    expect(resolved.sources).toEqual([
      {
        kind: 'aurora',
        id: 'shop-aurora',
        role: 'orders',
        tier: 'data',
        sourceType: 'db.r6g.large',
        readers: 2,
        tags: { Team: 'orders' },
      },
    ]);
    expect(resolved.missing).toEqual(['gone-aurora']);
  });

  it('snapshots a cluster, copies it under the recovery key with its shape, and deletes the intermediate', async () => {
    // Prepare
    const { sources } = await resolveProtectedSources(
      { ec2: clients.ec2(PRIMARY), rds: clients.rds(PRIMARY) },
      tier,
      'shop',
    );
    const rds = { capture: clients.rds(PRIMARY), copy: clients.rds(RECOVERY) };

    // Act
    const outcomes = await captureClusters(rds, sources, ctx());

    // Assess
    const id = dbSnapshotIdentifier('shop', 'shop-aurora', T0, 'run-1');
    expect(outcomes).toEqual([
      { source: 'shop-aurora', worked: true, state: 'available', id, takenAt: T0.toISOString() },
    ]);
    expect(await listClusterRecoveryPoints(clients.rds(RECOVERY), 'shop')).toEqual([
      {
        kind: 'db-cluster-snapshot',
        id,
        source: 'shop-aurora',
        role: 'orders',
        tier: 'data',
        takenAt: T0.toISOString(),
        protectRun: 'run-1',
        sourceType: 'db.r6g.large',
        // The cluster's own tags travel with the point.
        sourceTags: { Team: 'orders' },
        state: 'available',
        storage: { kmsKeyId: keys.arns[RECOVERY] },
        cluster: { engine: 'aurora-postgresql', engineVersion: '15.4', readers: 2 },
      },
    ]);
    const [copy] = await clusterSnapshots(clients.rds(RECOVERY));
    expect(tagMap(copy?.TagList)).toMatchObject({ [TAG.readers]: '2', [TAG.kind]: 'recovery-point' });
    expect(await clusterSnapshots(clients.rds(PRIMARY))).toEqual([]);
  });

  it('makes nothing new when run again with the same protectRun', async () => {
    // Prepare
    const { sources } = await resolveProtectedSources(
      { ec2: clients.ec2(PRIMARY), rds: clients.rds(PRIMARY) },
      tier,
      'shop',
    );
    const rds = { capture: clients.rds(PRIMARY), copy: clients.rds(RECOVERY) };
    await captureClusters(rds, sources, ctx());

    // Act
    const again = await captureClusters(rds, sources, ctx({ now: new Date(T0.getTime() + 60_000) }));

    // Assess
    expect(again).toEqual([
      {
        source: 'shop-aurora',
        worked: false,
        state: 'available',
        id: dbSnapshotIdentifier('shop', 'shop-aurora', T0, 'run-1'),
        takenAt: T0.toISOString(),
      },
    ]);
    expect(await clusterSnapshots(clients.rds(RECOVERY))).toHaveLength(1);
    expect(await clusterSnapshots(clients.rds(PRIMARY))).toEqual([]);
  });

  it('copies nothing under a key the plan refuses, and leaves no intermediate behind', async () => {
    // Prepare
    const { sources } = await resolveProtectedSources(
      { ec2: clients.ec2(PRIMARY), rds: clients.rds(PRIMARY) },
      tier,
      'shop',
    );

    // Act
    const outcomes = await captureClusters(
      { capture: clients.rds(PRIMARY), copy: clients.rds(RECOVERY) },
      sources,
      ctx({ copyKey: async () => ({ encrypt: 'refused', problem: 'no key named for us-west-2' }) }),
    );

    // Assess
    expect(outcomes).toEqual([
      {
        source: 'shop-aurora',
        worked: true,
        state: 'failed',
        problem: expect.stringMatching(/cannot be copied to us-west-2: no key named for us-west-2/),
      },
    ]);
    expect(await clusterSnapshots(clients.rds(PRIMARY))).toEqual([]);
    expect(await clusterSnapshots(clients.rds(RECOVERY))).toEqual([]);
  });

  it('while failed over, snapshots the recovered cluster, keeps it there and copies it to the primary', async () => {
    // Prepare: the cluster failover restored in the recovery region, and its inventory line.
    await createAuroraCluster(clients.rds(RECOVERY), {
      id: 'shop-aurora-pf-f1',
      readers: 1,
      kmsKeyId: keys.arns[RECOVERY],
      tags: { [TAG.app]: 'shop', [TAG.failover]: 'f-1' },
    });
    const inventory = [
      {
        kind: 'aurora' as const,
        tier: 'data',
        role: 'orders',
        source: 'shop-aurora',
        recovered: 'shop-aurora-pf-f1',
      },
    ];
    const { sources, missing } = await resolveRecoveredSources(
      { ec2: clients.ec2(RECOVERY), rds: clients.rds(RECOVERY) },
      tier,
      inventory,
      { app: 'shop', failoverId: 'f-1' },
    );
    const reverse = ctx({
      direction: 'reverse',
      captureRegion: RECOVERY,
      copyRegion: PRIMARY,
      failoverId: 'f-1',
      copyKey: async () => ({ encrypt: true, keyId: keys.arns[PRIMARY] as string }),
    });

    // Act
    const outcomes = await captureClusters(
      { capture: clients.rds(RECOVERY), copy: clients.rds(PRIMARY) },
      sources,
      reverse,
    );

    // Assess
    expect(missing).toEqual([]);
    expect(sources).toMatchObject([
      {
        kind: 'aurora',
        id: 'shop-aurora-pf-f1',
        origin: 'shop-aurora',
        readers: 1,
        sourceType: 'db.r6g.large',
      },
    ]);
    const id = dbSnapshotIdentifier('shop', 'shop-aurora-pf-f1', T0, 'run-1', 'reverse');
    expect(outcomes).toEqual([
      { source: 'shop-aurora-pf-f1', worked: true, state: 'available', id, takenAt: T0.toISOString() },
    ]);
    for (const region of [RECOVERY, PRIMARY]) {
      const points = await listClusterRecoveryPoints(clients.rds(region), 'shop', { direction: 'reverse' });
      expect(points, `reverse points in ${region}`).toMatchObject([
        { id, source: 'shop-aurora-pf-f1', origin: 'shop-aurora', cluster: { readers: 1 } },
      ]);
    }
    const [copy] = await clusterSnapshots(clients.rds(PRIMARY));
    expect(copy?.KmsKeyId).toBe(keys.arns[PRIMARY]);
  });
});
