/**
 * The failback floor: the API calls any tool must make to bring production home from the recovery
 * region with what changed there, point DNS home, and retire both the stale primary and the
 * recovery copies keeping a final AMI or snapshot of each, and no others. It runs after
 * `floorFailover`.
 *
 * - Find what runs: one DescribeInstances and one DescribeDBInstances in each region (the recovery
 *   copies; the stale primaries, whose placement the new ones take).
 * - Bring home, 10 in flight: per instance CreateImage (recovery) → CopyImage (primary) →
 *   RunInstances (primary); per database CreateDBSnapshot (recovery) → CopyDBSnapshot (primary) →
 *   RestoreDBInstanceFromDBSnapshot (primary); one bulk describe after each step to see it done.
 * - The home database takes the plan's identifier (protection and the plan refer to it) while the
 *   stale one still exists: two ModifyDBInstance renames per database, one bulk describe.
 * - DNS: per zone one ListResourceRecordSets pass and one ChangeResourceRecordSets for the data
 *   records (database endpoints), then one for the rest: no tool may move a database's record in
 *   the same change as records whose clients would then write to it before the data cutover, and
 *   the data records must not wait for a staged shift (one writable database at every moment).
 * - Retire the stale primary: a final CreateImage per instance, one bulk DescribeImages, one
 *   TerminateInstances per 1,000; DeleteDBInstance with a final snapshot per database.
 * - Retire the recovery copies: their images from the first step are their final AMIs; one
 *   TerminateInstances per 1,000; DeleteDBInstance with a final snapshot per database.
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  type EC2Client,
  type Instance,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { isStatefulRecord } from '../lambdas/plan/failback-freeze';
import type { Plan } from '../lambdas/plan/plan-schema';
import type { AwsClients } from '../lambdas/runtime/aws-clients';
import { mapWithConcurrency } from '../lambdas/runtime/bounded-all';
import {
  ALREADY,
  address,
  chunks,
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
import { recoveredDbId } from './floor-failover';
import { ROLE_TAG, ROLES, type SyntheticEstate } from './synthetic-estate';

const HOME_PREFIX = `${FLOOR_TAG}-home-`;
const FINAL_PREFIX = `${FLOOR_TAG}-final-`;
export const homeDbId = (db: string) => `${db}-fb`;
export const staleDbId = (db: string) => `${db}-stale`;

export interface FloorFailbackResult {
  readonly instances: number;
  readonly databases: number;
  readonly changeBatches: number;
  readonly retired: number;
}

const roleOf = (instance: Instance) => instance.Tags?.find((t) => t.Key === ROLE_TAG)?.Value ?? '';

/**
 * DeleteDBInstance keeping a final snapshot; a database already gone counts as deleted (a retried
 * request whose first attempt went through finds nothing to delete).
 */
async function deleteDb(rds: RDSClient, identifier: string, finalSnapshot: string): Promise<void> {
  try {
    await rds.send(
      new DeleteDBInstanceCommand({
        DBInstanceIdentifier: identifier,
        FinalDBSnapshotIdentifier: finalSnapshot,
      }),
    );
  } catch (error) {
    if (!ALREADY.dbGone.includes((error as Error).name as never)) throw error;
  }
}

async function terminate(ec2: EC2Client, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids, 1000))
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: chunk }));
}

type HomeItem = { kind: 'ec2'; recoveryId: string; role: string } | { kind: 'rds'; db: string };

export async function floorFailback(
  clients: AwsClients,
  estate: SyntheticEstate,
  plan: Plan,
): Promise<FloorFailbackResult> {
  const home = estate.primaryRegion;
  const away = estate.recoveryRegion;
  const ec2Home = clients.ec2(home);
  const rdsHome = clients.rds(home);
  const ec2Away = clients.ec2(away);
  const rdsAway = clients.rds(away);
  const awayDbs = estate.databases.map(recoveredDbId);
  const homeDbs = estate.databases.map(homeDbId);

  const [awayInstances, , staleInstances, staleDbs] = await Promise.all([
    describeInstances(ec2Away, [
      { Name: `tag:${FLOOR_TAG}`, Values: ['failover'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]),
    describeDbInstances(rdsAway, awayDbs),
    describeInstances(ec2Home, [
      { Name: `tag:${ROLE_TAG}`, Values: [...ROLES] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]),
    describeDbInstances(rdsHome, estate.databases),
  ]);
  const dbPlacement = new Map(staleDbs.map((db) => [db.DBInstanceIdentifier, db]));
  const placement = new Map<string, { subnet?: string; groups: string[] }>();
  for (const stale of staleInstances)
    if (!placement.has(roleOf(stale)))
      placement.set(roleOf(stale), {
        subnet: stale.SubnetId,
        groups: (stale.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
      });

  const items: HomeItem[] = [
    ...estate.databases.map((db): HomeItem => ({ kind: 'rds', db })),
    ...awayInstances.map((i): HomeItem => ({ kind: 'ec2', recoveryId: i.InstanceId ?? '', role: roleOf(i) })),
  ];
  const imageName = (item: { role: string; recoveryId: string }) =>
    `${HOME_PREFIX}${item.role}-${item.recoveryId}`;
  const snapshotId = (db: string) => `${HOME_PREFIX}${db}`;
  const seeDone = (ec2: EC2Client, rds: typeof rdsHome, what: string) =>
    pollUntil(what, async () => {
      const [images, snapshots] = await Promise.all([
        describeOwnImages(ec2, [{ Name: 'name', Values: [`${HOME_PREFIX}*`] }]),
        describeDbSnapshots(rds, awayDbs),
      ]);
      const ours = snapshots.filter((s) => s.DBSnapshotIdentifier?.startsWith(HOME_PREFIX));
      const done =
        images.length >= awayInstances.length &&
        images.every((i) => i.State === 'available') &&
        ours.length >= awayDbs.length &&
        ours.every((s) => s.Status === 'available');
      return {
        done,
        value: {
          imageIds: new Map(images.map((i) => [i.Name, i.ImageId])),
          snapshotArns: new Map(ours.map((s) => [s.DBSnapshotIdentifier, s.DBSnapshotArn])),
        },
      };
    });

  // 1. Capture in the recovery region.
  await mapWithConcurrency(items, FLOOR_CONCURRENCY, async (item) => {
    if (item.kind === 'ec2')
      await tolerate(
        ec2Away.send(
          new CreateImageCommand({ InstanceId: item.recoveryId, Name: imageName(item), NoReboot: true }),
        ),
        ALREADY.image,
      );
    else
      await tolerate(
        rdsAway.send(
          new CreateDBSnapshotCommand({
            DBSnapshotIdentifier: snapshotId(item.db),
            DBInstanceIdentifier: recoveredDbId(item.db),
          }),
        ),
        ALREADY.snapshot,
      );
  });
  const captured = await seeDone(ec2Away, rdsAway, 'captures in the recovery region');

  // 2. Copy home.
  await mapWithConcurrency(items, FLOOR_CONCURRENCY, async (item) => {
    if (item.kind === 'ec2')
      await ec2Home.send(
        new CopyImageCommand({
          SourceImageId: captured.imageIds.get(imageName(item)),
          SourceRegion: away,
          Name: imageName(item),
          ClientToken: imageName(item),
        }),
      );
    else
      await tolerate(
        rdsHome.send(
          new CopyDBSnapshotCommand({
            SourceDBSnapshotIdentifier: captured.snapshotArns.get(snapshotId(item.db)) ?? snapshotId(item.db),
            TargetDBSnapshotIdentifier: snapshotId(item.db),
          }),
        ),
        ALREADY.snapshot,
      );
  });
  const copied = await seeDone(ec2Home, rdsHome, 'copies at home');

  // 3. Launch and restore at home, where the stale primaries run.
  await mapWithConcurrency(items, FLOOR_CONCURRENCY, async (item) => {
    if (item.kind === 'ec2') {
      const where = placement.get(item.role);
      await ec2Home.send(
        new RunInstancesCommand({
          ImageId: copied.imageIds.get(imageName(item)),
          InstanceType: 't3.small',
          MinCount: 1,
          MaxCount: 1,
          ClientToken: `${FLOOR_TAG}-fb-${item.recoveryId}`,
          SubnetId: where?.subnet,
          SecurityGroupIds: where?.groups,
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: ROLE_TAG, Value: item.role },
                { Key: FLOOR_TAG, Value: 'failback' },
              ],
            },
          ],
        }),
      );
    } else {
      const stale = dbPlacement.get(item.db);
      await tolerate(
        rdsHome.send(
          new RestoreDBInstanceFromDBSnapshotCommand({
            DBInstanceIdentifier: homeDbId(item.db),
            DBSnapshotIdentifier: snapshotId(item.db),
            DBInstanceClass: 'db.t3.medium',
            DBSubnetGroupName: stale?.DBSubnetGroup?.DBSubnetGroupName,
            VpcSecurityGroupIds: stale?.VpcSecurityGroups?.flatMap((g) =>
              g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
            ),
          }),
        ),
        ALREADY.db,
      );
    }
  });
  const homeInstances = await pollUntil('new primary', async () => {
    const [instances, dbs] = await Promise.all([
      describeInstances(ec2Home, [{ Name: `tag:${FLOOR_TAG}`, Values: ['failback'] }]),
      describeDbInstances(rdsHome, homeDbs),
    ]);
    const done =
      instances.length === awayInstances.length &&
      instances.every((i) => i.State?.Name === 'running') &&
      dbs.length === homeDbs.length &&
      dbs.every((d) => d.DBInstanceStatus === 'available');
    return { done, value: instances };
  });

  // 4. The home databases take the plan's identifiers.
  // A retried rename whose first attempt went through finds the old name gone.
  const rename = (from: string, to: string) =>
    tolerate(
      rdsHome.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: from,
          NewDBInstanceIdentifier: to,
          ApplyImmediately: true,
        }),
      ),
      ALREADY.dbGone,
    );
  await mapWithConcurrency(estate.databases, FLOOR_CONCURRENCY, async (db) => {
    await rename(db, staleDbId(db));
    await rename(homeDbId(db), db);
  });
  const renamed = await pollUntil('renamed databases', async () => {
    const dbs = await describeDbInstances(rdsHome, estate.databases);
    const done =
      dbs.length === estate.databases.length && dbs.every((d) => d.DBInstanceStatus === 'available');
    return { done, value: dbs };
  });

  // 5. DNS home.
  const roles: Record<string, string[]> = {};
  for (const instance of homeInstances)
    roles[roleOf(instance)] = [...(roles[roleOf(instance)] ?? []), address(instance)];
  const databases: Record<string, string> = {};
  for (const db of renamed)
    if (db.DBInstanceIdentifier && db.Endpoint?.Address)
      databases[db.DBInstanceIdentifier] = db.Endpoint.Address;
  const zones = { [estate.zoneName]: estate.zoneId };
  const changeBatches = await moveDns(clients.route53(), plan, zones, home, { roles, databases }, [
    isStatefulRecord,
    (r) => !isStatefulRecord(r),
  ]);

  // 6. Retire the stale primary, final AMIs and snapshots kept.
  const retire: ({ kind: 'ec2'; instance: Instance } | { kind: 'rds'; db: string })[] = [
    ...estate.databases.map((db) => ({ kind: 'rds' as const, db })),
    ...staleInstances.map((instance) => ({ kind: 'ec2' as const, instance })),
  ];
  await mapWithConcurrency(retire, FLOOR_CONCURRENCY, async (item) => {
    if (item.kind === 'ec2') {
      await tolerate(
        ec2Home.send(
          new CreateImageCommand({
            InstanceId: item.instance.InstanceId,
            Name: `${FINAL_PREFIX}${roleOf(item.instance)}-${item.instance.InstanceId}`,
            NoReboot: true,
          }),
        ),
        ALREADY.image,
      );
    } else {
      await deleteDb(rdsHome, staleDbId(item.db), `${FINAL_PREFIX}${item.db}`);
    }
  });
  await pollUntil('final images', async () => {
    const images = await describeOwnImages(ec2Home, [{ Name: 'name', Values: [`${FINAL_PREFIX}*`] }]);
    const done = images.length >= staleInstances.length && images.every((i) => i.State === 'available');
    return { done, value: images };
  });
  await terminate(
    ec2Home,
    staleInstances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
  );

  // 7. Retire the recovery copies: their home images are their final AMIs.
  await terminate(
    ec2Away,
    awayInstances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
  );
  await mapWithConcurrency(estate.databases, FLOOR_CONCURRENCY, async (db) => {
    await deleteDb(rdsAway, recoveredDbId(db), `${FINAL_PREFIX}${db}`);
  });

  return {
    instances: homeInstances.length,
    databases: renamed.length,
    changeBatches,
    retired: staleInstances.length + awayInstances.length + 2 * estate.databases.length,
  };
}
