/**
 * Aurora clusters coming home, after the write freeze held: a cluster snapshot of the recovery
 * cluster (the truth now), copied into the target region under its key, the intermediate deleted
 * once the copy is there, the copy restored as `<source>-fb-<suffix>` placed like the stale primary
 * cluster, then its writer and readers created in it (writer first, as failover does). Each call
 * advances every cluster as far as it can go; the names are deterministic per episode and write
 * freeze, so a retry finds what an earlier call made. finalise-home gives the cluster the plan's
 * identifier.
 */
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  DeleteDBClusterSnapshotCommand,
} from '@aws-sdk/client-rds';
import {
  clusterMemberIds,
  createClusterInstance,
  DEFAULT_CLUSTER_INSTANCE_CLASS,
  describeClusters,
  restoreClusterFromSnapshot,
} from '../failover/aurora-recovery';
import { membersToCreate } from '../failover/cluster-readiness-rules';
import { describeDbInstances } from '../failover/rds-recovery';
import {
  clusterSnapshotState,
  describeClusterSnapshot,
  isClusterSnapshotNotFound,
} from '../recovery-points/cluster-recovery-points';
import { copyTags, homeTags, pendulumGivenName } from '../recovery-points/estate-tags';
import { copyKeyTag, TAG, tagList, tagMap } from '../recovery-points/recovery-point';
import { mapWithConcurrency } from '../runtime/bounded-all';
import type { FailbackRun, HomeDatabase } from './failback-run';
import { BROKEN_DB, type FinalSync, finalSyncToken } from './home-databases';
import { locateClusters } from './home-finalise-clusters';
import { type AdvanceResult, type HomeContext, type Problem, UNENCRYPTED_ONLY } from './home-instances';
import type { HomeInventoryEntry } from './home-inventory';
import {
  errorName,
  FAILBACK_KIND,
  FAILBACK_TAG,
  failbackTags,
  homeDbIdentifier,
  homeSnapshotIdentifier,
  userTags,
} from './home-names';

const CONCURRENCY = 5;

const isSnapshotExists = (error: unknown) =>
  ['DBClusterSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExists'].includes(errorName(error));
const isClusterBusy = (error: unknown) =>
  ['InvalidDBClusterStateFault', 'InvalidDBClusterState'].includes(errorName(error));

/** The home cluster's instances, the writer first, in the shape recorded on it when restored. */
export function homeMemberIds(source: string, suffix: string, cluster: DBCluster | undefined): string[] {
  const readers = Number.parseInt(tagMap(cluster?.TagList)[TAG.readers] ?? '0', 10);
  return clusterMemberIds(source, suffix, 'fb', Number.isFinite(readers) && readers > 0 ? readers : 0);
}

/**
 * The home cluster's shape: as many readers as the recovery cluster has now (it is what served
 * while failed over), each of the stale writer's class (the primary's sizing), else the recovery
 * writer's.
 */
export function homeShape(
  recovery: DBCluster,
  staleWriter: DBInstance | undefined,
  recoveryWriter: DBInstance | undefined,
): { readers: number; instanceClass: string } {
  const members = recovery.DBClusterMembers?.length ?? 1;
  return {
    readers: Math.max(0, members - 1),
    instanceClass:
      staleWriter?.DBInstanceClass ?? recoveryWriter?.DBInstanceClass ?? DEFAULT_CLUSTER_INSTANCE_CLASS,
  };
}

function writerOf(cluster: DBCluster | undefined): string | undefined {
  return cluster?.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
}

export function clusterEntry(
  want: HomeDatabase,
  cluster: DBCluster | undefined,
  run: Pick<FailbackRun, 'runId'>,
  extra: Partial<HomeInventoryEntry> & { state?: string } = {},
): HomeInventoryEntry {
  return {
    kind: 'aurora',
    role: want.role,
    tier: want.tier,
    source: want.source,
    recoveryId: want.recoveryId,
    strategy: want.strategy,
    ...(cluster
      ? {
          homeId: cluster.DBClusterIdentifier,
          state: cluster.Status ?? 'creating',
          endpoint: cluster.Endpoint,
          readerEndpoint: cluster.ReaderEndpoint,
          port: cluster.Port,
          created: tagMap(cluster.TagList)[TAG.run] === run.runId,
        }
      : { state: 'creating', created: false }),
    ...extra,
  };
}

interface ClusterStep {
  readonly entry: HomeInventoryEntry;
  readonly createdNow: number;
  readonly reused: boolean;
  readonly problem?: string;
}

/** Moves every cluster of the resource plan towards a home cluster, with its instances, in the target region. */
export async function advanceHomeClusters(hc: HomeContext, final: FinalSync): Promise<AdvanceResult> {
  const { run, suffix } = hc;
  const wanted = hc.resources.databases.filter((d) => d.kind === 'aurora' && d.strategy === 'snapshot');
  if (wanted.length === 0) return { entries: [], created: 0, reused: 0, problems: [] };
  const target = hc.clients.rds(run.targetRegion);
  const recovery = hc.clients.rds(run.sourceRegion);
  const token = finalSyncToken(final);
  const located = await locateClusters(
    target,
    wanted.map((d) => d.source),
    suffix,
    run.failbackId,
  );
  const missing = wanted.filter((d) => !located.get(d.source)?.home);
  const recoveryClusters =
    missing.length > 0
      ? await describeClusters(
          recovery,
          missing.map((d) => d.recoveryId),
        )
      : new Map<string, DBCluster>();
  // The instances whose class sizes a home cluster still to be restored, and the home clusters'
  // own instances, which the writer-then-readers rule counts: one describe per region.
  const homeMembers = wanted.flatMap((d) => {
    const home = located.get(d.source)?.home;
    return home ? homeMemberIds(d.source, suffix, home) : [];
  });
  const staleWriters = missing.flatMap((d) => {
    const location = located.get(d.source);
    return writerOf(location?.stale ?? location?.staleRenamed) ?? [];
  });
  const recoveryWriters = missing.flatMap((d) => writerOf(recoveryClusters.get(d.recoveryId)) ?? []);
  const [targetInstances, recoveryInstances] = await Promise.all([
    homeMembers.length + staleWriters.length > 0
      ? describeDbInstances(target, [...homeMembers, ...staleWriters])
      : new Map<string, DBInstance>(),
    recoveryWriters.length > 0
      ? describeDbInstances(recovery, recoveryWriters)
      : new Map<string, DBInstance>(),
  ]);

  const steps = await mapWithConcurrency(wanted, CONCURRENCY, async (want): Promise<ClusterStep> => {
    const location = located.get(want.source) ?? {};
    const homeId = homeDbIdentifier(want.source, suffix);
    const snapshotId = `${homeSnapshotIdentifier(run.app, want.source, suffix)}-${token}`;
    let extra: Partial<HomeInventoryEntry> = { snapshotId };
    const fail = (problem: string, cluster?: DBCluster): ClusterStep => ({
      entry: clusterEntry(want, cluster, run, { ...extra, state: 'failed' }),
      createdNow: 0,
      reused: false,
      problem,
    });
    const waiting = (state: string): ClusterStep => ({
      entry: clusterEntry(want, undefined, run, { ...extra, state }),
      createdNow: 0,
      reused: false,
    });

    if (location.home) {
      const home = location.home;
      const tags = tagMap(home.TagList);
      // Restored after a freeze that was undone: it misses the writes since. Setting a cluster
      // aside takes deleting its instances first; that is not this task's to do mid-sync.
      if (tags[FAILBACK_TAG.finalSync] !== token)
        return fail(
          `home cluster ${home.DBClusterIdentifier} was restored before this write freeze and misses the writes since; delete it (with a final snapshot) and run failback again`,
          home,
        );
      const memberIds = homeMemberIds(want.source, suffix, home);
      const existing = new Set([
        ...memberIds.filter((id) => targetInstances.has(id)),
        ...(home.DBClusterMembers ?? []).flatMap((m) => m.DBInstanceIdentifier ?? []),
      ]);
      const toCreate = membersToCreate(home, memberIds, existing);
      for (const identifier of toCreate)
        await createClusterInstance(target, {
          identifier,
          cluster: home.DBClusterIdentifier ?? homeId,
          engine: home.Engine ?? 'aurora-postgresql',
          dbInstanceClass: tags[TAG.sourceType] ?? DEFAULT_CLUSTER_INSTANCE_CLASS,
          tags,
        });
      const syncPointAt = tags[FAILBACK_TAG.syncPoint];
      return {
        entry: clusterEntry(want, home, run, {
          ...extra,
          members: memberIds,
          ...(syncPointAt ? { syncPointAt } : {}),
        }),
        createdNow: toCreate.length,
        reused: toCreate.length === 0,
      };
    }

    const source = recoveryClusters.get(want.recoveryId);
    if (!source) return fail(`recovery cluster ${want.recoveryId} does not exist in ${run.sourceRegion}`);
    const sourceStatus = source.Status ?? '';
    if (BROKEN_DB.has(sourceStatus))
      return fail(`recovery cluster ${want.recoveryId} is ${sourceStatus} in ${run.sourceRegion}`);
    const key = await (hc.copyKey ?? UNENCRYPTED_ONLY)(want, 'rds', {
      encrypted: source.StorageEncrypted === true,
      ...(source.KmsKeyId ? { kmsKeyId: source.KmsKeyId } : {}),
    });
    if (key.encrypt === 'refused')
      return fail(`recovery cluster ${want.recoveryId} cannot come to ${run.targetRegion}: ${key.problem}`);
    // Placed like the stale primary cluster, under the plan's identifier or already set aside.
    const stale = location.stale ?? location.staleRenamed;
    const shape = homeShape(
      source,
      targetInstances.get(writerOf(stale) ?? ''),
      recoveryInstances.get(writerOf(source) ?? ''),
    );
    // The estate's tags come home: the recovery cluster's as they are now over the stale primary's.
    const tags: Record<string, string> = copyTags(
      homeTags(
        tagMap(source.TagList),
        userTags(tagMap(stale?.TagList)),
        pendulumGivenName(run.app, want.role, want.source),
      ),
      {
        ...failbackTags(run, { tier: want.tier, role: want.role, source: want.source }),
        [FAILBACK_TAG.from]: want.recoveryId,
        [FAILBACK_TAG.finalSync]: token,
        [TAG.readers]: String(shape.readers),
        [TAG.sourceType]: shape.instanceClass,
        // The key it is made under, so readiness checks the cluster against it (home-readiness).
        ...copyKeyTag(key),
      },
    );
    const snapshotTags = tagList({ ...tags, [TAG.kind]: FAILBACK_KIND.syncSnapshot });

    // Recovery cluster → cluster snapshot → copy into the target region → restore.
    let copy = await describeClusterSnapshot(target, snapshotId);
    let intermediate: DBClusterSnapshot | undefined;
    if (!copy) {
      intermediate = await describeClusterSnapshot(recovery, snapshotId);
      if (!intermediate) {
        if (sourceStatus !== 'available') return waiting('waiting-for-source');
        try {
          const { DBClusterSnapshot } = await recovery.send(
            new CreateDBClusterSnapshotCommand({
              DBClusterSnapshotIdentifier: snapshotId,
              DBClusterIdentifier: want.recoveryId,
              // The snapshot holds every write up to at least the moment it was asked for.
              Tags: [
                ...snapshotTags,
                { Key: FAILBACK_TAG.syncPoint, Value: (hc.now?.() ?? new Date()).toISOString() },
              ],
            }),
          );
          intermediate = DBClusterSnapshot;
        } catch (error) {
          if (isClusterBusy(error)) return waiting('waiting-for-source');
          if (!isSnapshotExists(error)) throw error;
          intermediate = await describeClusterSnapshot(recovery, snapshotId);
        }
      }
      if (!intermediate) return waiting('snapshotting');
      if (!madeHere(intermediate, run))
        return fail(
          `cluster snapshot ${snapshotId} in ${run.sourceRegion} has this failback's name but not its tags`,
        );
      const state = clusterSnapshotState(intermediate);
      if (state === 'failed') return fail(`cluster snapshot ${snapshotId} of ${want.recoveryId} failed`);
      if (state === 'pending') return waiting('snapshotting');
      const syncPoint = tagMap(intermediate.TagList)[FAILBACK_TAG.syncPoint];
      try {
        const { DBClusterSnapshot } = await target.send(
          new CopyDBClusterSnapshotCommand({
            SourceDBClusterSnapshotIdentifier: intermediate.DBClusterSnapshotArn ?? snapshotId,
            TargetDBClusterSnapshotIdentifier: snapshotId,
            // A cross-region copy of an encrypted snapshot must name a key of the destination
            // region (RDS API Reference, CopyDBClusterSnapshot, KmsKeyId). SDK v3 presigns for
            // the region named in the source ARN.
            ...(key.encrypt ? { KmsKeyId: key.keyId } : {}),
            Tags: [
              ...snapshotTags,
              ...(syncPoint ? [{ Key: FAILBACK_TAG.syncPoint, Value: syncPoint }] : []),
            ],
            CopyTags: false,
          }),
        );
        copy = DBClusterSnapshot;
      } catch (error) {
        if (!isSnapshotExists(error)) throw error;
        copy = await describeClusterSnapshot(target, snapshotId);
      }
    }
    if (!copy) return waiting('copying');
    const copyState = clusterSnapshotState(copy);
    if (copyState === 'failed') return fail(`copy ${snapshotId} in ${run.targetRegion} failed`);
    if (copyState === 'pending') return waiting('copying');
    const syncPointAt =
      tagMap(copy.TagList)[FAILBACK_TAG.syncPoint] ??
      tagMap(intermediate?.TagList)[FAILBACK_TAG.syncPoint] ??
      (intermediate?.SnapshotCreateTime ?? copy.SnapshotCreateTime ?? new Date()).toISOString();
    // The copy is the data now: the recovery-region snapshot has done its job.
    intermediate ??= await describeClusterSnapshot(recovery, snapshotId);
    if (intermediate && madeHere(intermediate, run)) {
      try {
        await recovery.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: snapshotId }));
      } catch (error) {
        if (!isClusterSnapshotNotFound(error)) throw error;
      }
    }
    extra = { ...extra, syncPointAt };
    const staleSecurityGroups = (stale?.VpcSecurityGroups ?? []).flatMap((g) =>
      g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
    );
    // Restored in its own region from a copy made under the target key, the cluster is encrypted
    // under that key (RDS User Guide, "Restoring from a DB cluster snapshot").
    const cluster = await restoreClusterFromSnapshot(target, {
      identifier: homeId,
      snapshotIdentifier: snapshotId,
      engine: copy.Engine ?? source.Engine ?? 'aurora-postgresql',
      engineVersion: copy.EngineVersion ?? source.EngineVersion,
      dbSubnetGroup: stale?.DBSubnetGroup,
      securityGroupIds: staleSecurityGroups,
      tags: { ...tags, [FAILBACK_TAG.syncPoint]: syncPointAt },
    });
    return {
      entry: clusterEntry(want, cluster, run, {
        ...extra,
        members: clusterMemberIds(want.source, suffix, 'fb', shape.readers),
        created: true,
      }),
      createdNow: 1,
      reused: false,
    };
  });

  return {
    entries: steps.map((s) => s.entry),
    created: steps.reduce((n, s) => n + s.createdNow, 0),
    reused: steps.filter((s) => s.reused).length,
    problems: steps.flatMap((s, i): Problem[] =>
      s.problem ? [{ id: wanted[i]?.recoveryId ?? '', state: 'failed', reason: s.problem }] : [],
    ),
  };
}

function madeHere(snapshot: DBClusterSnapshot, run: Pick<FailbackRun, 'app' | 'failbackId'>): boolean {
  const tags = tagMap(snapshot.TagList);
  return tags[TAG.app] === run.app && tags[TAG.failback] === run.failbackId;
}
