/**
 * The protect floor: the API calls any tool must make to put a recovery point of every resource
 * into the recovery region, and no others.
 *
 * - Find the instances the plan selects by tag: one DescribeInstances (a page per 1,000).
 * - One CreateImage per instance and one CreateDBSnapshot per database (databases are named by the
 *   plan: nothing to look up), 10 in flight.
 * - One bulk DescribeImages + DescribeDBSnapshots to see the captures available (a copy needs that).
 * - One CopyImage per image and one CopyDBSnapshot per snapshot into the recovery region.
 * - One bulk DescribeImages + DescribeDBSnapshots there to see the copies available.
 *
 * Not done, because it is not unavoidable: tagging copies separately (names carry role and source),
 * removing the primary-region intermediates, pruning old points.
 */
import { CopyImageCommand, CreateImageCommand } from '@aws-sdk/client-ec2';
import { CopyDBSnapshotCommand, CreateDBSnapshotCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from '../lambdas/runtime/aws-clients';
import { mapWithConcurrency } from '../lambdas/runtime/bounded-all';
import {
  ALREADY,
  describeDbSnapshots,
  describeInstances,
  describeOwnImages,
  FLOOR_CONCURRENCY,
  FLOOR_TAG,
  pollUntil,
  tolerate,
} from './floor-common';
import { ROLE_TAG, ROLES, type SyntheticEstate } from './synthetic-estate';

/** `bench-floor-point-<role>-<instance id>`: the recovery point's name says what it restores. */
export const POINT_PREFIX = `${FLOOR_TAG}-point-`;
export const floorImageName = (role: string, instanceId: string) => `${POINT_PREFIX}${role}-${instanceId}`;
export const floorSnapshotId = (db: string) => `${POINT_PREFIX}${db}`;

export interface FloorProtectResult {
  readonly images: number;
  readonly snapshots: number;
}

type Capture = { kind: 'ec2'; id: string; role: string } | { kind: 'rds'; id: string };

export async function floorProtect(
  clients: AwsClients,
  estate: SyntheticEstate,
): Promise<FloorProtectResult> {
  const { primaryRegion, recoveryRegion } = estate;
  const ec2 = clients.ec2(primaryRegion);
  const rds = clients.rds(primaryRegion);
  const ec2Recovery = clients.ec2(recoveryRegion);
  const rdsRecovery = clients.rds(recoveryRegion);

  const instances = await describeInstances(ec2, [
    { Name: `tag:${ROLE_TAG}`, Values: [...ROLES] },
    { Name: 'instance-state-name', Values: ['running', 'stopped'] },
  ]);
  const captures: Capture[] = [
    ...estate.databases.map((id): Capture => ({ kind: 'rds', id })),
    ...instances.map(
      (i): Capture => ({
        kind: 'ec2',
        id: i.InstanceId ?? '',
        role: i.Tags?.find((t) => t.Key === ROLE_TAG)?.Value ?? '',
      }),
    ),
  ];

  await mapWithConcurrency(captures, FLOOR_CONCURRENCY, async (c) => {
    if (c.kind === 'ec2')
      await tolerate(
        ec2.send(
          new CreateImageCommand({ InstanceId: c.id, Name: floorImageName(c.role, c.id), NoReboot: true }),
        ),
        ALREADY.image,
      );
    else
      await tolerate(
        rds.send(
          new CreateDBSnapshotCommand({
            DBSnapshotIdentifier: floorSnapshotId(c.id),
            DBInstanceIdentifier: c.id,
          }),
        ),
        ALREADY.snapshot,
      );
  });

  const dbIds = estate.databases;
  const ready = async (ec2c: typeof ec2, rdsc: typeof rds, what: string) =>
    pollUntil(what, async () => {
      const [images, snapshots] = await Promise.all([
        describeOwnImages(ec2c, [{ Name: 'name', Values: [`${POINT_PREFIX}*`] }]),
        dbIds.length > 0 ? describeDbSnapshots(rdsc, dbIds) : Promise.resolve([]),
      ]);
      const ours = snapshots.filter((s) => s.DBSnapshotIdentifier?.startsWith(POINT_PREFIX));
      const done =
        images.length >= instances.length &&
        images.every((i) => i.State === 'available') &&
        ours.length >= dbIds.length &&
        ours.every((s) => s.Status === 'available');
      return { done, value: { images, snapshots: ours } };
    });
  const made = await ready(ec2, rds, 'primary-region captures');
  const imageIds = new Map(made.images.map((i) => [i.Name, i.ImageId]));
  const snapshotArns = new Map(made.snapshots.map((s) => [s.DBSnapshotIdentifier, s.DBSnapshotArn]));

  await mapWithConcurrency(captures, FLOOR_CONCURRENCY, async (c) => {
    if (c.kind === 'ec2') {
      const name = floorImageName(c.role, c.id);
      await ec2Recovery.send(
        new CopyImageCommand({
          SourceImageId: imageIds.get(name),
          SourceRegion: primaryRegion,
          Name: name,
          ClientToken: name,
        }),
      );
    } else {
      const id = floorSnapshotId(c.id);
      await tolerate(
        rdsRecovery.send(
          new CopyDBSnapshotCommand({
            SourceDBSnapshotIdentifier: snapshotArns.get(id) ?? id,
            TargetDBSnapshotIdentifier: id,
          }),
        ),
        ALREADY.snapshot,
      );
    }
  });
  const copies = await ready(ec2Recovery, rdsRecovery, 'recovery-region copies');
  return { images: copies.images.length, snapshots: copies.snapshots.length };
}
