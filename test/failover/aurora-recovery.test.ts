/**
 * The Aurora restore adapter against moto: a cluster from its snapshot, then its instances, and
 * a second attempt of either stands on what the first made instead of failing.
 */
import { CreateDBClusterCommand, CreateDBClusterSnapshotCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clusterMemberIds,
  createClusterInstance,
  describeClusters,
  findCluster,
  restoreClusterFromSnapshot,
} from '../../lambdas/failover/aurora-recovery';
import { describeDbInstances } from '../../lambdas/failover/rds-recovery';
import { localAwsForTests } from '../support/local-aws';

const REGION = 'us-west-2';
const aws = localAwsForTests(REGION);

describe('restoring an Aurora cluster', () => {
  const rds = () => new RDSClient({ region: REGION });
  const request = {
    identifier: 'shop-aurora-pf-1a2b3c4d',
    snapshotIdentifier: 'pendulum-shop-rp-point',
    engine: 'aurora-postgresql',
    securityGroupIds: [],
    tags: { team: 'orders', 'pendulum:app': 'shop' },
  };

  beforeEach(async () => {
    // Prepare: a cluster snapshot to restore from
    await aws.reset();
    await rds().send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'shop-aurora',
        Engine: 'aurora-postgresql',
        MasterUsername: 'orders',
        MasterUserPassword: 'orders-password',
      }),
    );
    await rds().send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'shop-aurora',
        DBClusterSnapshotIdentifier: 'pendulum-shop-rp-point',
      }),
    );
  });

  it('names the writer and readers after the cluster, the writer first', () => {
    expect(clusterMemberIds('shop-aurora', '1a2b3c4d', 'pf', 2)).toEqual([
      'shop-aurora-pf-1a2b3c4d-1',
      'shop-aurora-pf-1a2b3c4d-2',
      'shop-aurora-pf-1a2b3c4d-3',
    ]);
  });

  it('restores the cluster with its tags, found by name and among many', async () => {
    // Act
    await restoreClusterFromSnapshot(rds(), request);
    // Assess
    const found = await findCluster(rds(), request.identifier);
    expect(found?.TagList).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'orders' }]));
    expect([...(await describeClusters(rds(), [request.identifier, 'absent'])).keys()]).toEqual([
      request.identifier,
    ]);
    expect(await findCluster(rds(), 'absent')).toBeUndefined();
  });

  it('stands on an earlier restore a describe did not show yet (DBClusterAlreadyExists)', async () => {
    // Prepare: moto answers a second restore of a name with a snapshot fault, not AWS's, so the
    // fault AWS gives (RDS API Reference, RestoreDBClusterFromSnapshot, Errors) is given here.
    const client = rds();
    client.send = (async () => {
      throw Object.assign(new Error('DB cluster already exists'), { name: 'DBClusterAlreadyExistsFault' });
    }) as never;
    // Act
    const again = await restoreClusterFromSnapshot(client, request);
    // Assess
    expect(again).toEqual({ DBClusterIdentifier: request.identifier, Status: 'creating' });
  });

  it('creates an instance in the cluster once, a second create standing on the first', async () => {
    // Prepare
    await restoreClusterFromSnapshot(rds(), request);
    const instance = {
      identifier: 'shop-aurora-pf-1a2b3c4d-1',
      cluster: request.identifier,
      engine: 'aurora-postgresql',
      dbInstanceClass: 'db.r6g.large',
      tags: request.tags,
    };
    // Act
    await createClusterInstance(rds(), instance);
    const again = await createClusterInstance(rds(), instance);
    // Assess
    expect(again.DBInstanceStatus).toBe('creating');
    const dbs = await describeDbInstances(rds(), [instance.identifier]);
    expect(dbs.get(instance.identifier)?.DBClusterIdentifier).toBe(request.identifier);
    const cluster = await findCluster(rds(), request.identifier);
    expect(cluster?.DBClusterMembers).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: instance.identifier, IsClusterWriter: true }),
    ]);
  });
});
