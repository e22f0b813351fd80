/**
 * Makes the home Aurora clusters the primaries, before DNS moves back, as home-finalise does for DB
 * instances: the stale primary cluster is renamed out of the way (`<source>-stale-<suffix>`), it
 * and its instances tagged stale, and the home cluster takes the plan's identifier, so protection
 * and the records keep working after failback. A cluster comes home by snapshot only: nothing is
 * promoted.
 *
 * Every step checks where the names are first, so a second call does nothing. The stale cluster's
 * instances keep the estate's own names: the `pendulum:stale` tag on each is what later lets the
 * retirement of the stale cluster delete them (their names are unknown when the roles are made).
 */
import {
  AddTagsToResourceCommand,
  type DBCluster,
  ModifyDBClusterCommand,
  type RDSClient,
  StartDBClusterCommand,
} from '@aws-sdk/client-rds';
import { describeClusters, findCluster } from '../failover/aurora-recovery';
import { TAG, tagList, tagMap } from '../recovery-points/recovery-point';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { ValidationFailedError } from '../runtime/task-errors';
import type { FailbackRun, HomeDatabase } from './failback-run';
import { BROKEN_DB } from './home-databases';
import { errorName, FAILBACK_TAG, homeDbIdentifier, staleDbIdentifier } from './home-names';

export interface FinalisedCluster {
  readonly want: HomeDatabase;
  /** The home cluster under its final identifier, when it got there. */
  readonly home?: DBCluster;
  readonly staleId?: string;
  /** Why it is not final yet (a transitional state); absent when done. */
  readonly waiting?: string;
}

export interface FinaliseClustersResult {
  readonly clusters: FinalisedCluster[];
  /** Renames (stale and home clusters) this call asked for. */
  readonly renamed: number;
}

export interface ClusterLocation {
  /** The new primary: `<source>-fb-<suffix>`, or `<source>` once finalised. */
  readonly home?: DBCluster;
  /** The stale primary cluster still under the plan's identifier. */
  readonly stale?: DBCluster;
  /** The stale primary cluster once set aside as `<source>-stale-<suffix>`. */
  readonly staleRenamed?: DBCluster;
}

/**
 * The plan's databases that are Aurora clusters brought home by snapshot (the rest are DB
 * instances, for home-finalise; a global database member switched back is already the plan's
 * cluster, under its own name).
 */
export const homeClusters = (databases: readonly HomeDatabase[]) =>
  databases.filter((d) => d.kind === 'aurora' && d.strategy === 'snapshot');

/** Made by this failback episode as the new primary (not a stale cluster it set aside). */
export function isHomeCluster(cluster: DBCluster | undefined, failbackId: string): boolean {
  const tags = tagMap(cluster?.TagList);
  return cluster !== undefined && tags[TAG.failback] === failbackId && tags[FAILBACK_TAG.stale] === undefined;
}

/** Where each cluster's home and stale copies are in the target region: one describe for all. */
export async function locateClusters(
  rds: RDSClient,
  sources: readonly string[],
  suffix: string,
  failbackId: string,
): Promise<Map<string, ClusterLocation>> {
  const ids = sources.flatMap((s) => [homeDbIdentifier(s, suffix), s, staleDbIdentifier(s, suffix)]);
  const found = ids.length > 0 ? await describeClusters(rds, ids) : new Map<string, DBCluster>();
  const located = new Map<string, ClusterLocation>();
  for (const source of sources) {
    const underSource = found.get(source);
    const sourceIsHome = isHomeCluster(underSource, failbackId);
    located.set(source, {
      home: found.get(homeDbIdentifier(source, suffix)) ?? (sourceIsHome ? underSource : undefined),
      stale: sourceIsHome ? undefined : underSource,
      staleRenamed: found.get(staleDbIdentifier(source, suffix)),
    });
  }
  return located;
}

const isRenameConflict = (error: unknown) =>
  ['DBClusterAlreadyExistsFault', 'DBClusterAlreadyExists'].includes(errorName(error));

/** `arn:aws:rds:<region>:<account>:db:<member>`: a member's ARN, from its cluster's. */
function memberArn(clusterArn: string, member: string): string {
  return `${clusterArn.split(':').slice(0, 5).join(':')}:db:${member}`;
}

/**
 * Tags the stale cluster and each of its instances as set aside by this failback of this app (the
 * app tag too, so the retiring role of another app, whose mark is the same key, cannot take them).
 */
async function tagStale(
  rds: RDSClient,
  cluster: DBCluster,
  run: Pick<FailbackRun, 'app' | 'failbackId'>,
): Promise<void> {
  const arn = cluster.DBClusterArn;
  if (!arn)
    throw new ValidationFailedError(`stale cluster ${cluster.DBClusterIdentifier} has no ARN to tag`, {
      cluster: cluster.DBClusterIdentifier,
    });
  const Tags = tagList({ [FAILBACK_TAG.stale]: run.failbackId, [TAG.app]: run.app });
  const members = (cluster.DBClusterMembers ?? []).flatMap((m) =>
    m.DBInstanceIdentifier ? [m.DBInstanceIdentifier] : [],
  );
  // The instances first: a cluster tagged stale but with an untagged instance could not be retired.
  for (const member of members)
    await rds.send(new AddTagsToResourceCommand({ ResourceName: memberArn(arn, member), Tags }));
  await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags }));
}

async function renameCluster(
  rds: RDSClient,
  from: string,
  to: string,
  extra: { DeletionProtection?: boolean } = {},
): Promise<void> {
  await rds.send(
    new ModifyDBClusterCommand({
      DBClusterIdentifier: from,
      NewDBClusterIdentifier: to,
      ApplyImmediately: true,
      ...extra,
    }),
  );
}

export async function finaliseHomeClusters(
  rds: RDSClient,
  run: Pick<FailbackRun, 'app' | 'failbackId' | 'targetRegion'>,
  databases: readonly HomeDatabase[],
  suffix: string,
): Promise<FinaliseClustersResult> {
  const clusters = homeClusters(databases);
  if (clusters.length === 0) return { clusters: [], renamed: 0 };
  const located = await locateClusters(
    rds,
    clusters.map((c) => c.source),
    suffix,
    run.failbackId,
  );
  let renamed = 0;
  const results = await mapWithConcurrency(clusters, 5, async (want): Promise<FinalisedCluster> => {
    const { source } = want;
    const location = located.get(source) ?? {};
    const staleId = staleDbIdentifier(source, suffix);
    const hadStale = location.stale !== undefined || location.staleRenamed !== undefined;
    const base = { want, ...(hadStale ? { staleId } : {}) };
    const home = location.home;
    if (!home)
      throw new ValidationFailedError(
        `no home cluster for ${source} in ${run.targetRegion}: sync-home has not made it`,
        { source },
      );
    const usable = (cluster: DBCluster, what: string): string | undefined => {
      const status = cluster.Status ?? '';
      if (BROKEN_DB.has(status))
        throw new ValidationFailedError(`${what} ${cluster.DBClusterIdentifier} is ${status}`, {
          source,
          status,
        });
      return status === 'available' ? undefined : `${cluster.DBClusterIdentifier} is ${status || 'unknown'}`;
    };
    const homeWaiting = usable(home, 'home cluster');
    if (homeWaiting) return { ...base, waiting: homeWaiting };

    // 1. Set the stale primary cluster aside under its stale identifier.
    const stale = location.stale;
    if (stale) {
      if (location.staleRenamed)
        throw new ValidationFailedError(
          `both clusters ${source} and ${staleId} exist in ${run.targetRegion} and neither is the home cluster: one must go before failback can rename`,
          { source, staleId },
        );
      // A stopped cluster cannot be renamed: start it (it serves nobody; DNS is not on it).
      if (stale.Status === 'stopped') {
        await rds.send(new StartDBClusterCommand({ DBClusterIdentifier: source }));
        return { ...base, waiting: `stale cluster ${source} is starting to be renamed` };
      }
      const staleWaiting = usable(stale, 'stale cluster');
      if (staleWaiting) return { ...base, waiting: staleWaiting };
      await tagStale(rds, stale, run);
      await renameCluster(rds, source, staleId);
      renamed++;
    }

    // 2. The home cluster takes the plan's identifier (and the stale one's deletion protection).
    if (home.DBClusterIdentifier !== source) {
      const protect = (stale ?? location.staleRenamed)?.DeletionProtection === true;
      try {
        await renameCluster(
          rds,
          home.DBClusterIdentifier ?? '',
          source,
          protect ? { DeletionProtection: true } : {},
        );
        renamed++;
      } catch (error) {
        // The stale cluster is still giving up the name.
        if (isRenameConflict(error)) return { ...base, waiting: `${source} is still being renamed` };
        throw error;
      }
    }
    const final = await findCluster(rds, source);
    if (!final || !isHomeCluster(final, run.failbackId))
      return { ...base, waiting: `${source} is being renamed` };
    const finalWaiting = usable(final, 'home cluster');
    return { ...base, home: final, ...(finalWaiting ? { waiting: finalWaiting } : {}) };
  });
  return { clusters: results, renamed };
}
