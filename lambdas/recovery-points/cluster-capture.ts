/**
 * Captures Aurora clusters as DB snapshots are captured (see captureDatabases): a manual cluster
 * snapshot in the capture region, copied into the other region with its tags once available; the
 * intermediate is deleted once the copy is (forward only: reverse keeps it as a point there). The
 * snapshot also says how many readers the cluster had (`pendulum:readers`), so failover restores
 * its shape from the point alone.
 *
 * Every step finds what an earlier attempt of the same protection run made (by tags or by its
 * deterministic identifier) and carries on from there.
 */
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  type DBClusterSnapshot,
  DeleteDBClusterSnapshotCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { mapWithConcurrency } from '../runtime/bounded-all';
import {
  type CaptureContext,
  type CaptureOutcome,
  copiedPointTags,
  errorName,
  madeByAnotherRun,
  pointTags,
} from './capture';
import {
  clusterSnapshotState,
  describeClusterSnapshot,
  describeClusterSnapshots,
  isClusterSnapshotNotFound,
} from './cluster-recovery-points';
import { TAG, tagList, tagMap } from './recovery-point';
import { dbSnapshotIdentifier } from './recovery-point-names';
import type { ProtectedSource } from './resolve-protected-sources';

const CONCURRENCY = 10;

const isAlreadyExists = (error: unknown) =>
  ['DBClusterSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExists'].includes(errorName(error));

interface ClusterProgress {
  readonly source: ProtectedSource;
  primary?: DBClusterSnapshot;
  copy?: DBClusterSnapshot;
  /** This call made, copied or finished something for this source. */
  worked: boolean;
  gone?: string;
  problem?: string;
  /** The plan allows no key for its copy: nothing is copied, the intermediate is removed. */
  refused?: boolean;
}

function ofRun(snapshots: readonly DBClusterSnapshot[], ctx: CaptureContext): Map<string, DBClusterSnapshot> {
  const map = new Map<string, DBClusterSnapshot>();
  for (const snapshot of snapshots) {
    const tags = tagMap(snapshot.TagList);
    const source = tags[TAG.source];
    if (!source || tags[TAG.app] !== ctx.app || tags[TAG.protectRun] !== ctx.protectRun) continue;
    if (!map.has(source) || clusterSnapshotState(snapshot) === 'available') map.set(source, snapshot);
  }
  return map;
}

/** The tags a cluster point is made with: every point's, and the shape failover restores. */
function clusterPointTags(ctx: CaptureContext, source: ProtectedSource): Record<string, string> {
  return { ...pointTags(ctx, source), [TAG.readers]: String(source.readers ?? 0) };
}

/**
 * Moves the capture of each Aurora cluster as far as it can go now: snapshot it, copy the snapshot
 * once it is available, and (forward only) delete the intermediate once the copy is. Call again
 * (same `protectRun`) while any is `pending`.
 */
export async function captureClusters(
  clients: { capture: RDSClient; copy: RDSClient },
  sources: readonly ProtectedSource[],
  ctx: CaptureContext,
): Promise<CaptureOutcome[]> {
  const clusters = sources.filter((s) => s.kind === 'aurora');
  if (clusters.length === 0) return [];
  // `primary` is where the snapshot is made, `recovery` where its copy goes (swapped for reverse).
  const { capture: primary, copy: recovery } = clients;
  const ids = clusters.map((c) => c.id);
  const [primarySnapshots, recoverySnapshots] = await Promise.all([
    describeClusterSnapshots(primary, ids),
    describeClusterSnapshots(recovery, ids),
  ]);
  const primaryOf = ofRun(primarySnapshots, ctx);
  const copyOf = ofRun(recoverySnapshots, ctx);
  const recoveryById = new Map(recoverySnapshots.map((s) => [s.DBClusterSnapshotIdentifier, s]));
  const progress: ClusterProgress[] = clusters.map((source) => {
    const intermediate = primaryOf.get(source.id);
    return {
      source,
      primary: intermediate,
      // A copy carries its tags from the start; its identifier is the intermediate's.
      copy: copyOf.get(source.id) ?? recoveryById.get(intermediate?.DBClusterSnapshotIdentifier),
      worked: false,
    };
  });

  // 1. Snapshot every cluster that has neither an intermediate nor a copy from this run.
  await mapWithConcurrency(
    progress.filter((p) => !p.primary && !p.copy),
    CONCURRENCY,
    async (p) => {
      const identifier = dbSnapshotIdentifier(ctx.app, p.source.id, ctx.now, ctx.protectRun, ctx.direction);
      try {
        const { DBClusterSnapshot } = await primary.send(
          new CreateDBClusterSnapshotCommand({
            DBClusterSnapshotIdentifier: identifier,
            DBClusterIdentifier: p.source.id,
            Tags: tagList(clusterPointTags(ctx, p.source)),
          }),
        );
        p.worked = true;
        p.primary = DBClusterSnapshot;
      } catch (error) {
        const name = errorName(error);
        if (isAlreadyExists(error)) {
          const existing = await describeClusterSnapshot(primary, identifier);
          if (existing && madeByAnotherRun(tagMap(existing.TagList), ctx))
            p.problem = `cluster snapshot ${identifier} has this run's name but not its tags`;
          else p.primary = existing;
        } else if (name === 'DBClusterNotFoundFault' || name === 'DBClusterNotFound')
          p.gone = `Aurora cluster ${p.source.id} no longer exists`;
        // The cluster is busy (e.g. backing up, modifying, failing over): try again next attempt.
        else if (name !== 'InvalidDBClusterStateFault' && name !== 'InvalidDBClusterState') throw error;
      }
    },
  );

  // 2. Copy every available intermediate that has no copy yet.
  await mapWithConcurrency(
    progress.filter((p) => !p.copy && p.primary && clusterSnapshotState(p.primary) === 'available'),
    CONCURRENCY,
    async (p) => {
      const source = p.primary as DBClusterSnapshot;
      const key = await ctx.copyKey(p.source, 'rds', {
        encrypted: source.StorageEncrypted === true,
        ...(source.KmsKeyId ? { kmsKeyId: source.KmsKeyId } : {}),
      });
      if (key.encrypt === 'refused') {
        p.problem = `cluster snapshot ${source.DBClusterSnapshotIdentifier} of ${p.source.id} cannot be copied to ${ctx.copyRegion}: ${key.problem}`;
        p.refused = true;
        return;
      }
      const target = source.DBClusterSnapshotIdentifier as string;
      try {
        const { DBClusterSnapshot } = await recovery.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: source.DBClusterSnapshotArn ?? target,
            TargetDBClusterSnapshotIdentifier: target,
            // Cross-region copies of encrypted snapshots must name a key of the destination region.
            ...(key.encrypt ? { KmsKeyId: key.keyId } : {}),
            // SDK v3 has no SourceRegion: it presigns for the region named in the source ARN.
            Tags: tagList(copiedPointTags(tagMap(source.TagList))),
            CopyTags: false,
          }),
        );
        p.copy = DBClusterSnapshot;
        p.worked = true;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        const existing = await describeClusterSnapshot(recovery, target);
        if (existing && madeByAnotherRun(tagMap(existing.TagList), ctx))
          p.problem = `cluster snapshot ${target} in ${ctx.copyRegion} has this run's name but not its tags`;
        else p.copy = existing;
      }
    },
  );

  // 3. Delete the intermediate of every copy that is available (forward only: reverse keeps it as
  //    the point in the recovery region), of every failed snapshot, and of every refused one.
  const toDelete = progress.filter(
    (p) =>
      p.primary &&
      ((ctx.direction === 'forward' && p.copy && clusterSnapshotState(p.copy) === 'available') ||
        (!p.copy && clusterSnapshotState(p.primary) === 'failed') ||
        (ctx.direction === 'forward' && p.refused)),
  );
  await mapWithConcurrency(toDelete, CONCURRENCY, async (p) => {
    const intermediate = p.primary as DBClusterSnapshot;
    p.worked = true;
    if (!p.copy && !p.refused)
      p.problem = `cluster snapshot ${intermediate.DBClusterSnapshotIdentifier} of ${p.source.id} failed`;
    try {
      await primary.send(
        new DeleteDBClusterSnapshotCommand({
          DBClusterSnapshotIdentifier: intermediate.DBClusterSnapshotIdentifier,
        }),
      );
    } catch (error) {
      if (!isClusterSnapshotNotFound(error)) throw error;
    }
  });

  return progress.map((p): CaptureOutcome => {
    const base = { source: p.source.id, worked: p.worked };
    if (p.gone) return { ...base, state: 'gone', problem: p.gone };
    if (p.copy) {
      const state = clusterSnapshotState(p.copy);
      const takenAt = tagMap(p.copy.TagList)[TAG.takenAt];
      return {
        ...base,
        state,
        ...(p.copy.DBClusterSnapshotIdentifier ? { id: p.copy.DBClusterSnapshotIdentifier } : {}),
        ...(takenAt ? { takenAt } : {}),
        ...(state === 'failed'
          ? { problem: `copy ${p.copy.DBClusterSnapshotIdentifier} of ${p.source.id} failed` }
          : {}),
      };
    }
    if (p.problem) return { ...base, state: 'failed', problem: p.problem };
    return { ...base, state: 'pending' };
  });
}
