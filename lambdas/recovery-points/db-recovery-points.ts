/**
 * Database recovery points: a manual DB snapshot made in the primary region, copied into the
 * recovery region with its tags; the primary-region intermediate is deleted once the copy is
 * available. A database with a cross-region read replica needs none: the replica is its recovery
 * point, always current.
 *
 * Like AMIs, every step finds what an earlier attempt of the same protection run made (by tags or
 * by its deterministic identifier) and carries on from there.
 */
import {
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  type DBSnapshot,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type Filter,
  paginateDescribeDBSnapshots,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { expectedStorageOf } from '../failover/database-storage-check';
import type { Plan } from '../plan/plan-schema';
import { mapWithConcurrency } from '../runtime/bounded-all';
import {
  type CaptureContext,
  type CaptureOutcome,
  type CaptureState,
  copiedPointTags,
  errorName,
  madeByAnotherRun,
  type ProtectionDirection,
  pointKind,
  pointTags,
} from './capture';
import { listClusterRecoveryPoints } from './cluster-recovery-points';
import { pointFromTags, type RecoveryPoint, TAG, tagList, tagMap } from './recovery-point';
import { dbSnapshotIdentifier, dbSnapshotPrefix, reverseDbSnapshotPrefix } from './recovery-point-names';
import type { ProtectedSource } from './resolve-protected-sources';

const CONCURRENCY = 10;
/** RDS accepts at most 100 values per filter. */
const FILTER_VALUES_MAX = 100;

const isNotFound = (error: unknown) =>
  ['DBSnapshotNotFoundFault', 'DBSnapshotNotFound'].includes(errorName(error));
const isAlreadyExists = (error: unknown) =>
  ['DBSnapshotAlreadyExistsFault', 'DBSnapshotAlreadyExists'].includes(errorName(error));

export function snapshotState(snapshot: DBSnapshot): CaptureState {
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

/** Manual snapshots, every page, optionally of some DB instances only. */
async function describeSnapshots(rds: RDSClient, dbInstances?: readonly string[]): Promise<DBSnapshot[]> {
  const chunks: (Filter[] | undefined)[] = [];
  if (dbInstances === undefined) chunks.push(undefined);
  else
    for (let i = 0; i < dbInstances.length; i += FILTER_VALUES_MAX)
      chunks.push([{ Name: 'db-instance-id', Values: dbInstances.slice(i, i + FILTER_VALUES_MAX) }]);
  const snapshots: DBSnapshot[] = [];
  for (const Filters of chunks) {
    const pages = paginateDescribeDBSnapshots(
      { client: rds, pageSize: 100 },
      { SnapshotType: 'manual', ...(Filters ? { Filters } : {}) },
    );
    for await (const page of pages) snapshots.push(...(page.DBSnapshots ?? []));
  }
  return snapshots;
}

async function describeSnapshot(rds: RDSClient, identifier: string): Promise<DBSnapshot | undefined> {
  try {
    const { DBSnapshots = [] } = await rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }),
    );
    return DBSnapshots[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function snapshotToRecoveryPoint(snapshot: DBSnapshot): RecoveryPoint | undefined {
  const point = pointFromTags(
    'db-snapshot',
    snapshot.DBSnapshotIdentifier,
    tagMap(snapshot.TagList),
    snapshotState(snapshot),
  );
  return point && { ...point, storage: expectedStorageOf(snapshot) };
}

/** A database whose recovery point is its cross-region read replica. */
export interface ReplicaRef {
  /** The DB identifier in the primary region. */
  readonly source: string;
  /** The replica's identifier in the recovery region. */
  readonly replicaIdentifier: string;
  readonly role: string;
  readonly tier: string;
}

/** The plan's databases that are protected by a replica rather than by snapshots. */
export function planReplicas(plan: Plan): ReplicaRef[] {
  return plan.tiers.flatMap((tier) =>
    tier.resources.flatMap((resource) =>
      'rds' in resource && resource.rds.replicaIdentifier
        ? [
            {
              source: resource.rds.identifier,
              replicaIdentifier: resource.rds.replicaIdentifier,
              role: resource.rds.role ?? resource.rds.identifier,
              tier: tier.name,
            },
          ]
        : [],
    ),
  );
}

export interface ListDbRecoveryPointsOptions {
  /** Replicas to list as `db-replica` points (see `planReplicas`). @default none */
  readonly replicas?: readonly ReplicaRef[];
  /** A replica's `takenAt`: it is continuously current. @default the current time */
  readonly now?: Date;
  /** `reverse`: the snapshots protection made while failed over (never replicas). @default forward */
  readonly direction?: ProtectionDirection;
  /** Only snapshots of these DB instances (one filtered describe). @default all */
  readonly dbInstances?: readonly string[];
  /**
   * Aurora cluster points too (one more describe): `true` for every cluster's, or only these
   * clusters'. @default none (an estate without clusters asks nothing more)
   */
  readonly clusters?: boolean | readonly string[];
}

/** The Aurora clusters a plan names. */
export function planClusters(plan: Plan): string[] {
  return plan.tiers.flatMap((tier) =>
    tier.resources.flatMap((r) => ('aurora' in r ? [r.aurora.clusterIdentifier] : [])),
  );
}

/**
 * The app's database recovery points in the region `rds` serves (the recovery region): its tagged
 * manual snapshots (one paginated DescribeDBSnapshots; tags come back in TagList) and, when asked,
 * the replicas that exist there and Aurora cluster snapshots. Given the plan, its replicas are
 * listed (taken now), and its clusters' points when it names any.
 */
export async function listDbRecoveryPoints(
  rds: RDSClient,
  app: string,
  planOrOptions: Plan | ListDbRecoveryPointsOptions = {},
): Promise<RecoveryPoint[]> {
  const options: ListDbRecoveryPointsOptions =
    'tiers' in planOrOptions
      ? { replicas: planReplicas(planOrOptions), clusters: planClusters(planOrOptions).length > 0 }
      : planOrOptions;
  const direction = options.direction ?? 'forward';
  const clusters = options.clusters ?? false;
  const prefix = direction === 'reverse' ? reverseDbSnapshotPrefix(app) : dbSnapshotPrefix(app);
  const [described, clusterPoints] = await Promise.all([
    describeSnapshots(rds, options.dbInstances),
    clusters === false || (Array.isArray(clusters) && clusters.length === 0)
      ? []
      : listClusterRecoveryPoints(rds, app, {
          direction,
          ...(Array.isArray(clusters) ? { clusters } : {}),
        }),
  ]);
  const snapshots = described.filter((s) => {
    const tags = tagMap(s.TagList);
    return (
      s.DBSnapshotIdentifier?.startsWith(prefix) &&
      tags[TAG.app] === app &&
      tags[TAG.kind] === pointKind(direction)
    );
  });
  const points = [...snapshots.flatMap((s) => snapshotToRecoveryPoint(s) ?? []), ...clusterPoints];
  const replicas = options.replicas ?? [];
  if (replicas.length === 0) return points;
  const takenAt = (options.now ?? new Date()).toISOString();
  const found = await mapWithConcurrency(replicas, CONCURRENCY, async (replica) => {
    try {
      const { DBInstances = [] } = await rds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: replica.replicaIdentifier }),
      );
      return DBInstances[0];
    } catch (error) {
      if (['DBInstanceNotFoundFault', 'DBInstanceNotFound'].includes(errorName(error))) return undefined;
      throw error;
    }
  });
  replicas.forEach((replica, index) => {
    const db = found[index];
    if (!db) return;
    const status = db.DBInstanceStatus ?? '';
    points.push({
      kind: 'db-replica',
      id: replica.replicaIdentifier,
      source: replica.source,
      role: replica.role,
      tier: replica.tier,
      takenAt,
      protectRun: 'replica',
      ...(db.DBInstanceClass ? { sourceType: db.DBInstanceClass } : {}),
      state:
        status === 'available'
          ? 'available'
          : ['failed', 'incompatible-restore', 'deleting'].includes(status) ||
              status.startsWith('incompatible')
            ? 'failed'
            : 'pending',
    });
  });
  return points;
}

/** Deletes the given snapshot recovery points in the region `rds` serves; replicas are never touched. */
export async function pruneDbRecoveryPoints(
  rds: RDSClient,
  points: readonly RecoveryPoint[],
): Promise<number> {
  const snapshots = points.filter((p) => p.kind === 'db-snapshot');
  const deleted = await mapWithConcurrency(snapshots, CONCURRENCY, async (point) => {
    try {
      await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: point.id }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  });
  return deleted.filter(Boolean).length;
}

interface DbProgress {
  readonly source: ProtectedSource;
  primary?: DBSnapshot;
  copy?: DBSnapshot;
  /** This call made, copied or finished something for this source. */
  worked: boolean;
  gone?: string;
  problem?: string;
  /** The plan allows no key for its copy: nothing is copied, the intermediate is removed. */
  refused?: boolean;
}

function ofRun(snapshots: readonly DBSnapshot[], ctx: CaptureContext): Map<string, DBSnapshot> {
  const map = new Map<string, DBSnapshot>();
  for (const snapshot of snapshots) {
    const tags = tagMap(snapshot.TagList);
    const source = tags[TAG.source];
    if (!source || tags[TAG.app] !== ctx.app || tags[TAG.protectRun] !== ctx.protectRun) continue;
    if (!map.has(source) || snapshotState(snapshot) === 'available') map.set(source, snapshot);
  }
  return map;
}

/**
 * Moves the capture of each database (without a replica) as far as it can go now: snapshot it,
 * copy the snapshot once it is available, and (forward only) delete the intermediate once the copy
 * is. Reverse keeps the recovery-region snapshot as a point there. Call again (same `protectRun`)
 * while any is `pending`.
 */
export async function captureDatabases(
  clients: { capture: RDSClient; copy: RDSClient },
  sources: readonly ProtectedSource[],
  ctx: CaptureContext,
): Promise<CaptureOutcome[]> {
  const databases = sources.filter((s) => s.kind === 'rds' && !s.replicaIdentifier);
  if (databases.length === 0) return [];
  // `primary` is where the snapshot is made, `recovery` where its copy goes (swapped for reverse).
  const { capture: primary, copy: recovery } = clients;
  const ids = databases.map((d) => d.id);
  const [primarySnapshots, recoverySnapshots] = await Promise.all([
    describeSnapshots(primary, ids),
    describeSnapshots(recovery, ids),
  ]);
  const primaryOf = ofRun(primarySnapshots, ctx);
  const copyOf = ofRun(recoverySnapshots, ctx);
  const recoveryById = new Map(recoverySnapshots.map((s) => [s.DBSnapshotIdentifier, s]));
  const progress: DbProgress[] = databases.map((source) => {
    const intermediate = primaryOf.get(source.id);
    return {
      source,
      primary: intermediate,
      // A copy carries its tags from the start; its identifier is the intermediate's.
      copy: copyOf.get(source.id) ?? recoveryById.get(intermediate?.DBSnapshotIdentifier),
      worked: false,
    };
  });

  // 1. Snapshot every database that has neither an intermediate nor a copy from this run.
  await mapWithConcurrency(
    progress.filter((p) => !p.primary && !p.copy),
    CONCURRENCY,
    async (p) => {
      const identifier = dbSnapshotIdentifier(ctx.app, p.source.id, ctx.now, ctx.protectRun, ctx.direction);
      try {
        const { DBSnapshot } = await primary.send(
          new CreateDBSnapshotCommand({
            DBSnapshotIdentifier: identifier,
            DBInstanceIdentifier: p.source.id,
            Tags: tagList(pointTags(ctx, p.source)),
          }),
        );
        p.worked = true;
        p.primary = DBSnapshot;
      } catch (error) {
        const name = errorName(error);
        if (isAlreadyExists(error)) {
          const existing = await describeSnapshot(primary, identifier);
          if (existing && madeByAnotherRun(tagMap(existing.TagList), ctx))
            p.problem = `snapshot ${identifier} has this run's name but not its tags`;
          else p.primary = existing;
        } else if (name === 'DBInstanceNotFoundFault' || name === 'DBInstanceNotFound')
          p.gone = `DB instance ${p.source.id} no longer exists`;
        // The instance is busy (e.g. backing up or modifying): try again on the next attempt.
        else if (name !== 'InvalidDBInstanceStateFault' && name !== 'InvalidDBInstanceState') throw error;
      }
    },
  );

  // 2. Copy every available intermediate that has no copy yet.
  await mapWithConcurrency(
    progress.filter((p) => !p.copy && p.primary && snapshotState(p.primary) === 'available'),
    CONCURRENCY,
    async (p) => {
      const source = p.primary as DBSnapshot;
      const key = await ctx.copyKey(p.source, 'rds', {
        encrypted: source.Encrypted === true,
        ...(source.KmsKeyId ? { kmsKeyId: source.KmsKeyId } : {}),
      });
      if (key.encrypt === 'refused') {
        p.problem = `snapshot ${source.DBSnapshotIdentifier} of ${p.source.id} cannot be copied to ${ctx.copyRegion}: ${key.problem}`;
        p.refused = true;
        return;
      }
      const target = source.DBSnapshotIdentifier as string;
      try {
        const { DBSnapshot } = await recovery.send(
          new CopyDBSnapshotCommand({
            SourceDBSnapshotIdentifier: source.DBSnapshotArn ?? target,
            TargetDBSnapshotIdentifier: target,
            // Cross-region copies of encrypted snapshots must name a key of the destination region.
            ...(key.encrypt ? { KmsKeyId: key.keyId } : {}),
            // SDK v3 has no SourceRegion: it presigns for the region named in the source ARN.
            Tags: tagList(copiedPointTags(tagMap(source.TagList))),
            CopyTags: false,
          }),
        );
        p.copy = DBSnapshot;
        p.worked = true;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        const existing = await describeSnapshot(recovery, target);
        if (existing && madeByAnotherRun(tagMap(existing.TagList), ctx))
          p.problem = `snapshot ${target} in ${ctx.copyRegion} has this run's name but not its tags`;
        else p.copy = existing;
      }
    },
  );

  // 3. Delete the intermediate of every copy that is available (forward only: reverse keeps it as
  //    the point in the recovery region), and of every failed snapshot.
  const toDelete = progress.filter(
    (p) =>
      p.primary &&
      ((ctx.direction === 'forward' && p.copy && snapshotState(p.copy) === 'available') ||
        (!p.copy && snapshotState(p.primary) === 'failed') ||
        // Never to be copied under this plan: no intermediate is left behind.
        (ctx.direction === 'forward' && p.refused)),
  );
  await mapWithConcurrency(toDelete, CONCURRENCY, async (p) => {
    const intermediate = p.primary as DBSnapshot;
    p.worked = true;
    if (!p.copy && !p.refused)
      p.problem = `snapshot ${intermediate.DBSnapshotIdentifier} of ${p.source.id} failed`;
    try {
      await primary.send(
        new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: intermediate.DBSnapshotIdentifier }),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  });

  return progress.map((p): CaptureOutcome => {
    const base = { source: p.source.id, worked: p.worked };
    if (p.gone) return { ...base, state: 'gone', problem: p.gone };
    if (p.copy) {
      const state = snapshotState(p.copy);
      const takenAt = tagMap(p.copy.TagList)[TAG.takenAt];
      return {
        ...base,
        state,
        ...(p.copy.DBSnapshotIdentifier ? { id: p.copy.DBSnapshotIdentifier } : {}),
        ...(takenAt ? { takenAt } : {}),
        ...(state === 'failed'
          ? { problem: `copy ${p.copy.DBSnapshotIdentifier} of ${p.source.id} failed` }
          : {}),
      };
    }
    if (p.problem) return { ...base, state: 'failed', problem: p.problem };
    return { ...base, state: 'pending' };
  });
}
