/**
 * Retiring Aurora clusters: the cluster's instances first, then the cluster itself by
 * DeleteDBCluster with a final cluster snapshot (RDS takes it before it deletes, and refuses to
 * delete if it cannot), which is then looked up and tagged like a database's final snapshot.
 *
 * An Aurora instance holds no data of its own (the cluster volume does), so its deletion keeps no
 * snapshot of its own: the cluster's final snapshot holds all of it. RDS refuses to delete a
 * cluster that still has instances, so each call advances one step; the state machine calls
 * again while anything is `pending`.
 *
 * Phase 1 (prepareClusters) reads and checks only; phase 2 (retireClusters) deletes, and runs only
 * once phase 1 passed for every target of the call (see retire-resources).
 */
import {
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  ModifyDBClusterCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { describeClusters } from '../failover/aurora-recovery';
import { describeDbInstances } from '../failover/rds-recovery';
import { clusterSnapshotState, describeClusterSnapshot } from '../recovery-points/cluster-recovery-points';
import { TAG, tagMap } from '../recovery-points/recovery-point';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { ValidationFailedError } from '../runtime/task-errors';
import { isHomeCluster } from './home-finalise-clusters';
import { errorName, FAILBACK_TAG, finalSnapshotIdentifier, staleDbIdentifier } from './home-names';
import type { RetiredEntry, RetireRequest, RetireTarget } from './retire-resources';
import { staleSource } from './stale-databases';

const CONCURRENCY = 10;
/** Cluster statuses DeleteDBCluster with a final snapshot is asked in; others wait. */
const DELETABLE_CLUSTER = new Set(['available', 'stopped']);

/** A cluster to retire: where it is now, and the identifier its final snapshot is named after. */
export interface ResolvedCluster {
  readonly cluster?: DBCluster;
  readonly name: string;
}

/** How one region's clusters are found and what makes one Pendulum's to delete. */
export interface ClusterRetirement {
  /** Finds each cluster target (by its id in the resource plan) in the region. */
  readonly resolve: (
    rds: RDSClient,
    targets: readonly RetireTarget[],
  ) => Promise<Map<string, ResolvedCluster>>;
  /**
   * Why this call may not delete the cluster or one of its instances (undefined: it may). Asked
   * of every cluster found, before anything of any target is deleted.
   */
  readonly refuse: (cluster: DBCluster, members: readonly DBInstance[]) => string | undefined;
}

export interface ClusterPrep {
  readonly target: RetireTarget;
  readonly cluster?: DBCluster;
  readonly members: readonly DBInstance[];
  readonly finalId: string;
  readonly name: string;
  readonly snapshot?: DBClusterSnapshot;
}

const memberIds = (cluster: DBCluster | undefined): string[] =>
  (cluster?.DBClusterMembers ?? []).flatMap((m) => (m.DBInstanceIdentifier ? [m.DBInstanceIdentifier] : []));

/** `DBInstanceNotFound` or `DBInstanceNotFoundFault`, as AWS and moto name them. */
const isFault = (error: unknown, name: string) => [name, `${name}Fault`].includes(errorName(error));

/** Phase 1 for clusters: found, their instances read, every one checked; nothing changed. */
export async function prepareClusters(
  rds: RDSClient,
  req: RetireRequest,
  targets: readonly RetireTarget[],
): Promise<ClusterPrep[]> {
  if (targets.length === 0) return [];
  if (!req.clusters)
    throw new ValidationFailedError(
      `Aurora cluster(s) ${targets.map((t) => t.id).join(', ')} in ${req.region} have no retirement rule here: nothing was retired`,
    );
  const rules = req.clusters;
  const resolved = await rules.resolve(rds, targets);
  const ids = [...resolved.values()].flatMap((r) => memberIds(r.cluster));
  const instances = ids.length > 0 ? await describeDbInstances(rds, ids) : new Map<string, DBInstance>();
  const preps = await mapWithConcurrency(targets, CONCURRENCY, async (target): Promise<ClusterPrep> => {
    const found = resolved.get(target.id) ?? { name: target.id };
    const finalId = finalSnapshotIdentifier(req.run.app, req.suffix, found.name);
    return {
      target,
      ...(found.cluster ? { cluster: found.cluster } : {}),
      // An instance the cluster lists but describe no longer finds is gone already.
      members: memberIds(found.cluster).flatMap((id) => instances.get(id) ?? []),
      finalId,
      name: found.name,
      snapshot: await describeClusterSnapshot(rds, finalId),
    };
  });
  const refusals = preps.flatMap((p) => {
    if (!p.cluster) return [];
    const why = rules.refuse(p.cluster, p.members);
    return why ? [why] : [];
  });
  if (refusals.length > 0)
    throw new ValidationFailedError(`${refusals.join('; ')}: nothing was deleted`, { refusals });
  for (const p of preps) {
    const status = p.cluster?.Status ?? '';
    if (p.cluster && p.snapshot && status !== 'deleting')
      throw new ValidationFailedError(
        `${p.cluster.DBClusterIdentifier} is ${status} but its final snapshot name ${p.finalId} is taken: nothing was deleted`,
        { cluster: p.cluster.DBClusterIdentifier, finalSnapshot: p.finalId },
      );
  }
  return preps;
}

/** Deletes the cluster's instances not already going; true when none is left to wait for. */
async function deleteMembers(rds: RDSClient, p: ClusterPrep): Promise<boolean> {
  let settled = true;
  await mapWithConcurrency(p.members, CONCURRENCY, async (member) => {
    if (member.DBInstanceStatus === 'deleting') {
      settled = false;
      return;
    }
    try {
      await rds.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: member.DBInstanceIdentifier,
          // An Aurora instance has no snapshot of its own: the cluster's final snapshot keeps the data.
          SkipFinalSnapshot: true,
          DeleteAutomatedBackups: false,
        }),
      );
    } catch (error) {
      if (isFault(error, 'DBInstanceNotFound')) return;
      if (!isFault(error, 'InvalidDBInstanceState')) throw error;
    }
    settled = false;
  });
  return settled;
}

/**
 * Phase 2 for clusters: instances deleted first; a cluster without instances deleted with its
 * final snapshot, which is confirmed and tagged (`confirmed`, as for databases).
 */
export async function retireClusters(
  rds: RDSClient,
  preps: readonly ClusterPrep[],
  confirmed: (
    p: ClusterPrep,
    base: Omit<RetiredEntry, 'outcome'>,
    snapshot: DBClusterSnapshot | undefined,
    pendingReason: string,
  ) => Promise<RetiredEntry>,
): Promise<RetiredEntry[]> {
  return mapWithConcurrency(preps, CONCURRENCY, async (p): Promise<RetiredEntry> => {
    const resourceId = p.cluster?.DBClusterIdentifier ?? p.name;
    const members = p.members.flatMap((m) => (m.DBInstanceIdentifier ? [m.DBInstanceIdentifier] : []));
    const base = {
      kind: 'aurora' as const,
      id: p.target.id,
      resourceId,
      role: p.target.role,
      tier: p.target.tier,
      ...(members.length > 0 ? { members } : {}),
    };
    const confirm = (snapshot: DBClusterSnapshot | undefined, reason: string) =>
      confirmed(p, base, snapshot, reason);
    const deletingReason = `${resourceId} is being deleted; final snapshot not visible yet`;
    if (!p.cluster)
      return p.snapshot
        ? confirm(p.snapshot, '')
        : { ...base, outcome: 'already-gone', reason: `${p.name} was gone before a final snapshot was kept` };
    const status = p.cluster.Status ?? '';
    if (status === 'deleting') return confirm(p.snapshot, deletingReason);
    if (p.members.length > 0 && !(await deleteMembers(rds, p))) {
      // Instances go in minutes on AWS (at once on moto): look again before waiting a whole poll.
      const [again] = (await describeClusters(rds, [resourceId])).values();
      if (memberIds(again).length > 0)
        return {
          ...base,
          outcome: 'pending',
          reason: `${resourceId}: its instances ${members.join(', ')} are being deleted first`,
        };
    }
    if (!DELETABLE_CLUSTER.has(status))
      return { ...base, outcome: 'pending', reason: `${resourceId} is ${status || 'busy'}` };
    // As for databases: protection the estate set is lifted, the final snapshot is still kept.
    if (p.cluster.DeletionProtection)
      await rds.send(
        new ModifyDBClusterCommand({
          DBClusterIdentifier: resourceId,
          DeletionProtection: false,
          ApplyImmediately: true,
        }),
      );
    try {
      await rds.send(
        new DeleteDBClusterCommand({
          DBClusterIdentifier: resourceId,
          SkipFinalSnapshot: false,
          FinalDBSnapshotIdentifier: p.finalId,
        }),
      );
    } catch (error) {
      if (isFault(error, 'InvalidDBClusterState'))
        return { ...base, outcome: 'pending', reason: `${resourceId} cannot be deleted in its state now` };
      // Deleted by a call whose answer was lost: the final snapshot decides below.
      if (!isFault(error, 'DBClusterNotFound')) throw error;
    }
    return confirm(await describeClusterSnapshot(rds, p.finalId), deletingReason);
  });
}

/** A cluster snapshot that failed is never a final copy. */
export function clusterSnapshotFailed(snapshot: DBClusterSnapshot): boolean {
  return clusterSnapshotState(snapshot) === 'failed';
}

/**
 * The stale primary's clusters in the home region: under their stale identifier once
 * finalise-home set them aside, else still under the plan's identifier (never the home cluster
 * that has taken it, tagged with this episode). Only a set-aside cluster whose every instance
 * carries this failback's stale mark (finalise-home's) may be deleted: an instance without it may
 * be one the estate added, or the new primary's.
 */
export function staleClusterRetirement(app: string, suffix: string, failbackId: string): ClusterRetirement {
  return {
    async resolve(rds, targets) {
      const names = targets.map((t) => staleSource(t.id, suffix));
      const ids = names.flatMap((name) => [staleDbIdentifier(name, suffix), name]);
      const found = ids.length > 0 ? await describeClusters(rds, ids) : new Map<string, DBCluster>();
      const resolved = new Map<string, ResolvedCluster>();
      targets.forEach((target, i) => {
        const name = names[i] ?? target.id;
        const setAside = found.get(staleDbIdentifier(name, suffix));
        const underName = found.get(name);
        const cluster = setAside ?? (isHomeCluster(underName, failbackId) ? undefined : underName);
        resolved.set(target.id, { name, ...(cluster ? { cluster } : {}) });
      });
      return resolved;
    },
    refuse(cluster, members) {
      const id = cluster.DBClusterIdentifier ?? '';
      if (id !== staleDbIdentifier(staleSource(id, suffix), suffix))
        return `stale cluster ${id} has not been set aside by finalise-home (renamed ${staleDbIdentifier(id, suffix)})`;
      const unmarked = members.filter((m) => {
        const tags = tagMap(m.TagList);
        return tags[FAILBACK_TAG.stale] !== failbackId || tags[TAG.app] !== app;
      });
      return unmarked.length > 0
        ? `instance(s) ${unmarked.map((m) => m.DBInstanceIdentifier).join(', ')} of stale cluster ${id} lack the ${FAILBACK_TAG.stale}=${failbackId} and ${TAG.app}=${app} marks finalise-home sets`
        : undefined;
    },
  };
}

/**
 * The recovery clusters failover restored (`<source>-pf-<episode>`), by their ids. Only one tagged
 * as the app's, whose instances are the ones failover made (`<cluster>-<n>`, tagged like their
 * cluster), may be deleted.
 */
export function recoveryClusterRetirement(app: string): ClusterRetirement {
  return {
    async resolve(rds, targets) {
      const found =
        targets.length > 0
          ? await describeClusters(
              rds,
              targets.map((t) => t.id),
            )
          : new Map<string, DBCluster>();
      return new Map(
        targets.map((t) => {
          const cluster = found.get(t.id);
          return [t.id, { name: t.id, ...(cluster ? { cluster } : {}) }];
        }),
      );
    },
    refuse(cluster, members) {
      const id = cluster.DBClusterIdentifier ?? '';
      if (tagMap(cluster.TagList)[TAG.app] !== app)
        return `recovery cluster ${id} is not tagged ${TAG.app}=${app}: Pendulum did not make it`;
      const made = new RegExp(`^${id}-\\d+$`);
      const foreign = members.filter(
        (m) => !made.test(m.DBInstanceIdentifier ?? '') || tagMap(m.TagList)[TAG.app] !== app,
      );
      return foreign.length > 0
        ? `instance(s) ${foreign.map((m) => m.DBInstanceIdentifier).join(', ')} of recovery cluster ${id} were not made by failover (named ${id}-<n>, tagged ${TAG.app}=${app}); delete them by hand`
        : undefined;
    },
  };
}
