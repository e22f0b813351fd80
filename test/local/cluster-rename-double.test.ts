/**
 * The cluster-rename double: a renamed Aurora cluster keeps its instances, as in AWS, and a cluster
 * given the old name afterwards does not inherit them (moto files instances by the name they were
 * created under).
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { localAwsForTests } from '../support/local-aws';

const REGION = 'us-east-1';
const aws = localAwsForTests(REGION);
const rds = () => new RDSClient({ region: REGION });

async function cluster(id: string, instances: string[]): Promise<void> {
  await rds().send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
    }),
  );
  for (const instance of instances)
    await rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: instance,
        DBClusterIdentifier: id,
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
      }),
    );
}

const rename = (from: string, to: string) =>
  rds().send(
    new ModifyDBClusterCommand({
      DBClusterIdentifier: from,
      NewDBClusterIdentifier: to,
      ApplyImmediately: true,
    }),
  );

async function members(id: string): Promise<string[]> {
  const { DBClusters = [] } = await rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
  return (DBClusters[0]?.DBClusterMembers ?? []).map((m) => m.DBInstanceIdentifier ?? '').sort();
}

describe('renaming an Aurora cluster', () => {
  beforeEach(async () => {
    await aws.reset();
  });

  it('keeps its instances with it, and the cluster that takes the old name gets only its own', async () => {
    // Prepare: the stale cluster set aside, the new one given its name (as failback finalises)
    await cluster('orders', ['orders-a', 'orders-b']);
    await cluster('orders-fb-1', ['orders-fb-1-1']);

    // Act
    await rename('orders', 'orders-stale-1');
    await rename('orders-fb-1', 'orders');

    // Assess
    expect(await members('orders-stale-1')).toEqual(['orders-a', 'orders-b']);
    expect(await members('orders')).toEqual(['orders-fb-1-1']);
    const { DBInstances = [] } = await rds().send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: ['orders-stale-1'] }] }),
    );
    expect(DBInstances.map((d) => [d.DBInstanceIdentifier, d.DBClusterIdentifier]).sort()).toEqual([
      ['orders-a', 'orders-stale-1'],
      ['orders-b', 'orders-stale-1'],
    ]);
  });

  it('refuses to delete a renamed cluster while it has instances, and deletes it once they are gone', async () => {
    // Prepare
    await cluster('orders', ['orders-a']);
    await rename('orders', 'orders-stale-1');

    // Act / Assess
    await expect(
      rds().send(
        new DeleteDBClusterCommand({ DBClusterIdentifier: 'orders-stale-1', SkipFinalSnapshot: true }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidDBClusterStateFault' });
    await rds().send(
      new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'orders-a', SkipFinalSnapshot: true }),
    );
    await rds().send(
      new DeleteDBClusterCommand({ DBClusterIdentifier: 'orders-stale-1', SkipFinalSnapshot: true }),
    );
    const { DBClusters = [] } = await rds().send(new DescribeDBClustersCommand({}));
    expect(DBClusters).toEqual([]);
  });
});
