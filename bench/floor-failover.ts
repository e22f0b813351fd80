/**
 * The failover floor: the API calls any tool must make to bring the estate up in the recovery
 * region from its recovery points and point DNS at it, and no others. Tiers keep their order (the
 * databases are up before the servers that need them), as the plan says.
 *
 * - One DescribeImages + DescribeDBSnapshots in the recovery region to find the points.
 * - Data tier: one RestoreDBInstanceFromDBSnapshot per database, 10 in flight; one bulk
 *   DescribeDBInstances to see them available.
 * - App tier: one RunInstances per instance (each comes from its own image), 10 in flight; one bulk
 *   DescribeInstances to see them running.
 * - DNS: one ListResourceRecordSets pass and one ChangeResourceRecordSets per zone (more only when
 *   Route 53's request limits force it).
 *
 * Subnets and security groups are taken as ids (a plan may name them so); no lock, no snapshot of
 * the zone, no run record, no health check, no waiting for the change to be INSYNC.
 */
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import type { Plan } from '../lambdas/plan/plan-schema';
import type { AwsClients } from '../lambdas/runtime/aws-clients';
import { mapWithConcurrency } from '../lambdas/runtime/bounded-all';
import {
  ALREADY,
  address,
  describeDbInstances,
  describeDbSnapshots,
  describeInstances,
  describeOwnImages,
  FLOOR_CONCURRENCY,
  FLOOR_TAG,
  moveDns,
  pollUntil,
  tolerate,
} from './floor-common';
import { POINT_PREFIX } from './floor-protect';
import { ROLE_TAG, type Role, type SyntheticEstate } from './synthetic-estate';

/** `bench-db-0001` → `bench-db-0001-fo`: the recovered database. */
export const recoveredDbId = (db: string) => `${db}-fo`;

export interface FloorFailoverResult {
  readonly instances: number;
  readonly databases: number;
  readonly changeBatches: number;
}

export async function floorFailover(
  clients: AwsClients,
  estate: SyntheticEstate,
  plan: Plan,
): Promise<FloorFailoverResult> {
  const region = estate.recoveryRegion;
  const ec2 = clients.ec2(region);
  const rds = clients.rds(region);
  const network = estate.recoveryNetwork;

  const [images, snapshots] = await Promise.all([
    describeOwnImages(ec2, [{ Name: 'name', Values: [`${POINT_PREFIX}*`] }]),
    describeDbSnapshots(rds, estate.databases),
  ]);
  const points = images.map((image) => {
    const [role, ...rest] = (image.Name ?? '').slice(POINT_PREFIX.length).split('-');
    return { imageId: image.ImageId ?? '', role: role as Role, source: rest.join('-') };
  });
  const snapshotOf = new Map(snapshots.map((s) => [s.DBInstanceIdentifier, s.DBSnapshotIdentifier]));

  // Data tier.
  const recoveredDbs = estate.databases.map(recoveredDbId);
  await mapWithConcurrency(estate.databases, FLOOR_CONCURRENCY, async (db) => {
    await tolerate(
      rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: recoveredDbId(db),
          DBSnapshotIdentifier: snapshotOf.get(db),
          DBInstanceClass: 'db.t3.medium',
          DBSubnetGroupName: network.dbSubnetGroup,
        }),
      ),
      ALREADY.db,
    );
  });
  const dbs = await pollUntil('recovered databases', async () => {
    const found = await describeDbInstances(rds, recoveredDbs);
    const done =
      found.length === recoveredDbs.length && found.every((d) => d.DBInstanceStatus === 'available');
    return { done, value: found };
  });

  // App tier.
  await mapWithConcurrency(points, FLOOR_CONCURRENCY, async (point) => {
    await ec2.send(
      new RunInstancesCommand({
        ImageId: point.imageId,
        InstanceType: 't3.small',
        MinCount: 1,
        MaxCount: 1,
        // Free on AWS, and makes the SDK's retry of a launch that went through harmless.
        ClientToken: `${FLOOR_TAG}-fo-${point.source}`,
        SubnetId: network.subnets[point.role],
        SecurityGroupIds: [network.securityGroups[point.role]],
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: ROLE_TAG, Value: point.role },
              { Key: FLOOR_TAG, Value: 'failover' },
            ],
          },
        ],
      }),
    );
  });
  const instances = await pollUntil('recovered instances', async () => {
    const found = await describeInstances(ec2, [{ Name: `tag:${FLOOR_TAG}`, Values: ['failover'] }]);
    const done = found.length === points.length && found.every((i) => i.State?.Name === 'running');
    return { done, value: found };
  });

  const roles: Record<string, string[]> = {};
  for (const instance of instances) {
    const role = instance.Tags?.find((t) => t.Key === ROLE_TAG)?.Value ?? '';
    roles[role] = [...(roles[role] ?? []), address(instance)];
  }
  const databases: Record<string, string> = {};
  for (const db of estate.databases) {
    const endpoint = dbs.find((d) => d.DBInstanceIdentifier === recoveredDbId(db))?.Endpoint?.Address;
    if (endpoint) databases[db] = endpoint;
  }
  const zones = { [estate.zoneName]: estate.zoneId };
  const changeBatches = await moveDns(clients.route53(), plan, zones, region, { roles, databases });
  return { instances: instances.length, databases: dbs.length, changeBatches };
}
