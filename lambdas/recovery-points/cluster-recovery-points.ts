/**
 * Aurora cluster recovery points: a manual cluster snapshot made in the region where the app runs,
 * copied into the other region with its tags (like DB snapshots, see db-recovery-points). The
 * cluster's data is the cluster's, so the snapshot is of the cluster, not of any instance; the
 * point also records what the cluster was made of (engine, readers) so failover restores its shape.
 */
import {
  type DBClusterSnapshot,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  type Filter,
  paginateDescribeDBClusterSnapshots,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { type CaptureState, errorName, type ProtectionDirection, pointKind } from './capture';
import { pointFromTags, type RecoveryPoint, TAG, tagMap } from './recovery-point';
import { dbSnapshotPrefix, reverseDbSnapshotPrefix } from './recovery-point-names';

const CONCURRENCY = 10;
/** RDS accepts at most 100 values per filter. */
const FILTER_VALUES_MAX = 100;

export const isClusterSnapshotNotFound = (error: unknown) =>
  ['DBClusterSnapshotNotFoundFault', 'DBClusterSnapshotNotFound'].includes(errorName(error));

export function clusterSnapshotState(snapshot: DBClusterSnapshot): CaptureState {
  switch (snapshot.Status) {
    case 'available':
      return 'available';
    case 'creating':
    case 'copying':
    case 'pending':
    case undefined:
      return 'pending';
    default:
      return 'failed';
  }
}

/** Manual cluster snapshots, every page, optionally of some clusters only. */
export async function describeClusterSnapshots(
  rds: RDSClient,
  clusters?: readonly string[],
): Promise<DBClusterSnapshot[]> {
  const chunks: (Filter[] | undefined)[] = [];
  if (clusters === undefined) chunks.push(undefined);
  else
    for (let i = 0; i < clusters.length; i += FILTER_VALUES_MAX)
      chunks.push([{ Name: 'db-cluster-id', Values: clusters.slice(i, i + FILTER_VALUES_MAX) }]);
  const snapshots: DBClusterSnapshot[] = [];
  for (const Filters of chunks) {
    const pages = paginateDescribeDBClusterSnapshots(
      { client: rds, pageSize: 100 },
      { SnapshotType: 'manual', ...(Filters ? { Filters } : {}) },
    );
    for await (const page of pages) snapshots.push(...(page.DBClusterSnapshots ?? []));
  }
  return snapshots;
}

export async function describeClusterSnapshot(
  rds: RDSClient,
  identifier: string,
): Promise<DBClusterSnapshot | undefined> {
  try {
    const { DBClusterSnapshots = [] } = await rds.send(
      new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }),
    );
    return DBClusterSnapshots[0];
  } catch (error) {
    if (isClusterSnapshotNotFound(error)) return undefined;
    throw error;
  }
}

export function clusterSnapshotToRecoveryPoint(snapshot: DBClusterSnapshot): RecoveryPoint | undefined {
  const tags = tagMap(snapshot.TagList);
  const point = pointFromTags(
    'db-cluster-snapshot',
    snapshot.DBClusterSnapshotIdentifier,
    tags,
    clusterSnapshotState(snapshot),
  );
  if (!point) return undefined;
  const readers = Number.parseInt(tags[TAG.readers] ?? '0', 10);
  return {
    ...point,
    storage: snapshot.StorageEncrypted && snapshot.KmsKeyId ? { kmsKeyId: snapshot.KmsKeyId } : {},
    cluster: {
      engine: snapshot.Engine ?? 'aurora-postgresql',
      ...(snapshot.EngineVersion ? { engineVersion: snapshot.EngineVersion } : {}),
      readers: Number.isFinite(readers) && readers > 0 ? readers : 0,
    },
  };
}

export interface ListClusterRecoveryPointsOptions {
  /** `reverse`: the snapshots protection made while failed over. @default forward */
  readonly direction?: ProtectionDirection;
  /** Only snapshots of these clusters (one filtered describe). @default all */
  readonly clusters?: readonly string[];
}

/** The app's cluster recovery points in the region `rds` serves: one paginated describe. */
export async function listClusterRecoveryPoints(
  rds: RDSClient,
  app: string,
  options: ListClusterRecoveryPointsOptions = {},
): Promise<RecoveryPoint[]> {
  const direction = options.direction ?? 'forward';
  const prefix = direction === 'reverse' ? reverseDbSnapshotPrefix(app) : dbSnapshotPrefix(app);
  return (await describeClusterSnapshots(rds, options.clusters))
    .filter((s) => {
      const tags = tagMap(s.TagList);
      return (
        s.DBClusterSnapshotIdentifier?.startsWith(prefix) &&
        tags[TAG.app] === app &&
        tags[TAG.kind] === pointKind(direction)
      );
    })
    .flatMap((s) => clusterSnapshotToRecoveryPoint(s) ?? []);
}

/** Deletes the given cluster snapshot points in the region `rds` serves; others are left alone. */
export async function pruneClusterRecoveryPoints(
  rds: RDSClient,
  points: readonly RecoveryPoint[],
): Promise<number> {
  const snapshots = points.filter((p) => p.kind === 'db-cluster-snapshot');
  const deleted = await mapWithConcurrency(snapshots, CONCURRENCY, async (point) => {
    try {
      await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: point.id }));
      return true;
    } catch (error) {
      if (isClusterSnapshotNotFound(error)) return false;
      throw error;
    }
  });
  return deleted.filter(Boolean).length;
}
