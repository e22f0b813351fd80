/**
 * The reverse points failback's sync builds on: for each recovery-region instance or database, the
 * newest point reverse protection already copied into the target (primary) region, and what that
 * leaves to copy.
 *
 * What can be known, and what cannot: cross-region copies of EBS snapshots and of RDS DB
 * snapshots are incremental when an earlier copy of the same source is still in the destination
 * region (unencrypted, or under the same KMS key): only the blocks changed since travel (AWS
 * What's New, 2018-05, "Copying encrypted Amazon EBS snapshots under custom CMK now completes
 * faster": "The resulting EBS Snapshot will be incremental if there is already a prior copy of the
 * EBS Snapshot ... in the destination account/region"; Amazon RDS User Guide, Copying a DB
 * snapshot, section "Considerations for incremental snapshot copying"). So the last copy carries the
 * changes since the newest reverse point's capture; how many bytes that is the APIs here do not
 * say (EBS direct APIs' ListChangedBlocks could, between the point's and the new snapshot in the
 * recovery region; not used yet). We report when the changes started (the point's capture time and
 * its age) and whether the copy is incremental at all; without a reverse point it is a full copy.
 *
 * Failback must leave these points alone until its copies are available: the incremental copy
 * needs the earlier copy to still be in the destination. Reverse protection also keeps each
 * point's partner in the recovery region, so the failback's fresh image or snapshot there is
 * itself incremental to it.
 */
import { type EC2Client, type Image, paginateDescribeImages } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import { formatDuration } from '../plan/duration';
import { imageToRecoveryPoint } from '../recovery-points/ami-recovery-points';
import { listDbRecoveryPoints } from '../recovery-points/db-recovery-points';
import { REVERSE_POINT_KIND, type RecoveryPoint, TAG } from '../recovery-points/recovery-point';
import { newestAvailablePoint } from '../recovery-points/role-sources';

/** A reverse point in the target region: the base the last copy of its source is incremental to. */
export interface ReversePoint {
  readonly kind: 'ami' | 'db-snapshot';
  /** AMI id or DB snapshot identifier, in the target region. */
  readonly id: string;
  /** The recovery-region instance or database it was captured from. */
  readonly source: string;
  /** When it was captured: what changed after this is what is left to copy. */
  readonly takenAt: string;
  readonly protectRun: string;
}

/** What the final copy of one resource still has to carry. */
export interface LeftToCopy {
  /** `incremental`: only the changes since `buildsOn.takenAt`; `full`: everything. */
  readonly copy: 'incremental' | 'full';
  /** The reverse point the copy builds on. */
  readonly buildsOn?: { readonly id: string; readonly takenAt: string };
  /** Seconds of changes the copy carries (now − the point's capture); absent for a full copy. */
  readonly changesSeconds?: number;
  /** One line for the inventory and the report. */
  readonly summary: string;
}

function asReversePoint(point: RecoveryPoint): ReversePoint {
  return {
    kind: point.kind === 'ami' ? 'ami' : 'db-snapshot',
    id: point.id,
    source: point.source,
    takenAt: point.takenAt,
    protectRun: point.protectRun,
  };
}

/** Newest available point per source, for the wanted sources only. */
function newestBySource(
  points: readonly RecoveryPoint[],
  wanted: readonly string[],
): Map<string, ReversePoint> {
  const want = new Set(wanted);
  const bySource = new Map<string, RecoveryPoint[]>();
  for (const point of points) {
    if (!want.has(point.source)) continue;
    bySource.set(point.source, [...(bySource.get(point.source) ?? []), point]);
  }
  const newest = new Map<string, ReversePoint>();
  for (const [source, list] of bySource) {
    const point = newestAvailablePoint(list);
    if (point) newest.set(source, asReversePoint(point));
  }
  return newest;
}

/**
 * The newest reverse AMI copied into the region `ec2` serves, per recovery instance: one paginated
 * DescribeImages of the app's reverse points, whatever the number of instances.
 */
export async function newestReverseImages(
  ec2: EC2Client,
  app: string,
  recoveryIds: readonly string[],
): Promise<Map<string, ReversePoint>> {
  if (recoveryIds.length === 0) return new Map();
  const images: Image[] = [];
  const pages = paginateDescribeImages(
    { client: ec2, pageSize: 1000 },
    {
      Owners: ['self'],
      Filters: [
        { Name: `tag:${TAG.app}`, Values: [app] },
        { Name: `tag:${TAG.kind}`, Values: [REVERSE_POINT_KIND] },
      ],
    },
  );
  for await (const page of pages) images.push(...(page.Images ?? []));
  return newestBySource(
    images.flatMap((image) => imageToRecoveryPoint(image) ?? []),
    recoveryIds,
  );
}

/**
 * The newest reverse DB snapshots copied into the region `rds` serves, per recovery database: one
 * paginated DescribeDBSnapshots of the app's manual snapshots.
 */
export async function newestReverseDbPoints(
  rds: RDSClient,
  app: string,
  recoveryDbs: readonly string[],
): Promise<Map<string, ReversePoint>> {
  if (recoveryDbs.length === 0) return new Map();
  return newestBySource(await listDbRecoveryPoints(rds, app, { direction: 'reverse' }), recoveryDbs);
}

/**
 * The newest reverse DB snapshot of one recovery database already in the target region, or
 * undefined when protection never copied one there (the final copy is then a full one).
 */
export async function newestReverseDbPoint(
  rds: RDSClient,
  app: string,
  recoveryDb: string,
): Promise<ReversePoint | undefined> {
  return (await newestReverseDbPoints(rds, app, [recoveryDb])).get(recoveryDb);
}

/** Pure: what is left to copy for one resource, given its newest reverse point (if any). */
export function leftToCopy(point: ReversePoint | undefined, now: Date, targetRegion: string): LeftToCopy {
  if (!point)
    return {
      copy: 'full',
      summary: `full copy: no reverse point of it in ${targetRegion}`,
    };
  const changesSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(point.takenAt)) / 1000));
  return {
    copy: 'incremental',
    buildsOn: { id: point.id, takenAt: point.takenAt },
    changesSeconds,
    summary: `incremental: changes since ${point.takenAt} (${formatDuration(changesSeconds)}) on top of ${point.id} in ${targetRegion}`,
  };
}
