/**
 * Whether a restored Aurora cluster is ready, and which of its instances to create next. Pure, so
 * the rules are tested as rules. A cluster serves only once the cluster and every one of its
 * instances are `available` and the writer is elected; right after RestoreDBClusterFromSnapshot or
 * CreateDBInstance a describe may not return the new cluster or instance yet.
 */
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { BROKEN_DB, MISSING, NOT_VISIBLE_YET, type ResourceReadiness } from './readiness-rules';

/** A cluster whose instances are all available but none of them is its writer yet. */
export const NO_WRITER = 'writer-not-elected';

/**
 * The instances to create now: none until the cluster is `available`; the writer (the first id)
 * until a describe shows it; then every reader not shown yet. Readers wait for the writer so the
 * first instance of the cluster, which RDS makes its writer, is the one named writer.
 */
export function membersToCreate(
  cluster: DBCluster | undefined,
  memberIds: readonly string[],
  existing: ReadonlySet<string>,
): string[] {
  if (cluster?.Status !== 'available') return [];
  const [writer, ...readers] = memberIds;
  if (writer === undefined) return [];
  if (!existing.has(writer)) return [writer];
  return readers.filter((id) => !existing.has(id));
}

/** The id of the instance the cluster names its writer, if any. */
export function clusterWriter(cluster: DBCluster): string | undefined {
  return cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
}

/**
 * Ready when the cluster is `available`, each of `memberIds` exists and is `available`, and one of
 * them is the cluster's writer: any of them, since RDS may fail the writer over to a reader (a
 * reboot, a host replaced) and the cluster endpoint follows it. A member not shown by a describe is
 * waited for (it may be created on this very check); one in a broken state breaks the cluster.
 */
export function clusterReadiness(
  cluster: DBCluster | undefined,
  memberIds: readonly string[],
  instances: ReadonlyMap<string, DBInstance>,
  seenBefore: boolean,
): ResourceReadiness {
  if (!cluster)
    return seenBefore
      ? { verdict: 'broken', state: MISSING }
      : { verdict: 'waiting', state: NOT_VISIBLE_YET };
  const status = cluster.Status ?? 'creating';
  if (BROKEN_DB.has(status)) return { verdict: 'broken', state: status };
  if (status !== 'available') return { verdict: 'waiting', state: status };
  for (const id of memberIds) {
    const member = instances.get(id);
    if (!member) return { verdict: 'waiting', state: `${id} ${NOT_VISIBLE_YET}` };
    const memberStatus = member.DBInstanceStatus ?? 'creating';
    if (BROKEN_DB.has(memberStatus)) return { verdict: 'broken', state: `${id} ${memberStatus}` };
    if (memberStatus !== 'available') return { verdict: 'waiting', state: `${id} ${memberStatus}` };
  }
  const writer = clusterWriter(cluster);
  if (memberIds.length > 0 && (writer === undefined || !memberIds.includes(writer)))
    return { verdict: 'waiting', state: NO_WRITER };
  return { verdict: 'ready', state: status };
}
