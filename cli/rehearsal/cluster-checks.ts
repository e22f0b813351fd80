/**
 * After each leg, every planned Aurora cluster runs where it should, whole: the cluster available
 * with a writer and as many readers as the original had, every instance available, encrypted under
 * the plan's key of that region, carrying the original's own tags (on the cluster and on each of its
 * instances). Read from RDS, never from what a workflow said it made.
 */
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import type { Plan } from '../../lambdas/plan/plan-schema';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import { clusterMembers, clusters } from './aws-reads';
import { expectedKey } from './encryption-checks';
import type { Check, CheckPhase } from './rehearsal-checks';
import { estateTagCheck } from './tag-checks';

/** The Aurora clusters the plan protects, by their identifier in the primary region. */
export function plannedClusters(plan: Plan): string[] {
  return plan.tiers.flatMap((t) =>
    t.resources.flatMap((r) => ('aurora' in r ? [r.aurora.clusterIdentifier] : [])),
  );
}

/** A cluster as RDS shows it, with the DB instances that are its writer and readers. */
export interface ClusterView {
  readonly cluster: DBCluster;
  readonly members: DBInstance[];
}

export async function readClusters(clients: AwsClients, region: string): Promise<ClusterView[]> {
  const rds = clients.rds(region);
  const [found, members] = await Promise.all([clusters(rds), clusterMembers(rds)]);
  return found.map((cluster) => ({
    cluster,
    members: members.get(cluster.DBClusterIdentifier ?? '') ?? [],
  }));
}

const readersOf = (view: ClusterView | undefined) =>
  (view?.cluster.DBClusterMembers ?? []).filter((m) => m.IsClusterWriter !== true).length;
const writersOf = (view: ClusterView | undefined) =>
  (view?.cluster.DBClusterMembers ?? []).filter((m) => m.IsClusterWriter === true).length;

/** A planned cluster's copy in the region a leg moved to, and the cluster it stands in for. */
export interface ClusterCopy {
  readonly identifier: string;
  readonly original: ClusterView | undefined;
  readonly copy: ClusterView | undefined;
}

/** What a cluster has in it, for people: `shop-orders-pf-1 available, writer …-1, readers …-2`. */
function shapeOf(view: ClusterView): string {
  const members = view.cluster.DBClusterMembers ?? [];
  const status = (id: string | undefined) =>
    view.members.find((m) => m.DBInstanceIdentifier === id)?.DBInstanceStatus ?? 'missing';
  const named = (writer: boolean) =>
    members
      .filter((m) => (m.IsClusterWriter === true) === writer)
      .map((m) => `${m.DBInstanceIdentifier} ${status(m.DBInstanceIdentifier)}`);
  return `${view.cluster.DBClusterIdentifier} ${view.cluster.Status}; writer ${named(true).join(', ') || 'none'}; readers ${named(false).join(', ') || 'none'}`;
}

/**
 * For each planned cluster, in `region`: the copy is available with one writer and the original's
 * readers, all instances available; it is encrypted as the plan says there; it and its instances
 * carry the original's own tags. `what` says which copy it is (`recovered`, `brought home`).
 */
export async function clusterChecks(
  phase: CheckPhase,
  clients: AwsClients,
  plan: Plan,
  region: string,
  what: string,
  copies: readonly ClusterCopy[],
): Promise<Check[]> {
  const checks: Check[] = [];
  const keyName = plan.primaryRegion === region ? 'the primary' : 'the recovery';
  for (const { identifier, original, copy } of copies) {
    const readers = readersOf(original);
    const members = copy?.cluster.DBClusterMembers ?? [];
    const instancesUp =
      members.length > 0 &&
      members.every(
        (m) =>
          copy?.members.find((i) => i.DBInstanceIdentifier === m.DBInstanceIdentifier)?.DBInstanceStatus ===
          'available',
      );
    const whole =
      copy?.cluster.Status === 'available' &&
      original !== undefined &&
      writersOf(copy) === 1 &&
      readersOf(copy) === readers &&
      instancesUp;
    checks.push({
      phase,
      name: `The Aurora cluster ${identifier} ${what} in ${region} is available with its writer and ${readers} reader(s)`,
      ok: whole,
      detail: copy
        ? shapeOf(copy)
        : original
          ? `no cluster in ${region} stands in for ${identifier}`
          : `${identifier} was not found in ${plan.primaryRegion} before the failover`,
    });

    const want = await expectedKey(plan, clients, identifier, original?.cluster, region);
    const got = copy?.cluster.StorageEncrypted ? copy.cluster.KmsKeyId : undefined;
    const keyOk =
      copy !== undefined &&
      (want === undefined
        ? !copy.cluster.StorageEncrypted
        : got === want || (want.startsWith('the AWS') && Boolean(got)));
    checks.push({
      phase,
      name: `The Aurora cluster ${identifier} ${what} in ${region} is ${want ? `encrypted with ${keyName} region's key` : 'unencrypted, as the original'}`,
      ok: keyOk,
      detail: copy
        ? `${copy.cluster.DBClusterIdentifier}: ${got ?? 'unencrypted'}${keyOk ? '' : `; expected ${want ?? 'unencrypted'}`}`
        : `no copy of ${identifier} in ${region}`,
    });
  }
  checks.push(
    estateTagCheck(
      phase,
      `Every Aurora cluster ${what} in ${region}, and each of its instances, carries its source's own tags`,
      copies.flatMap(({ identifier, original, copy }) => [
        {
          label: `${copy?.cluster.DBClusterIdentifier ?? identifier} (cluster for ${identifier})`,
          original: original?.cluster,
          copy: copy?.cluster,
        },
        // The estate tags the cluster's instances as it tags the cluster; so must Pendulum.
        ...(copy?.members ?? []).map((member) => ({
          label: `${member.DBInstanceIdentifier} (instance of ${copy?.cluster.DBClusterIdentifier})`,
          original: original?.cluster,
          copy: member,
        })),
      ]),
    ),
  );
  return checks;
}

/** The endpoint a record naming `cluster` must carry: its writer (cluster) or its reader endpoint. */
export function clusterEndpoint(cluster: DBCluster | undefined, endpoint: 'writer' | 'reader' | undefined) {
  return endpoint === 'reader' ? cluster?.ReaderEndpoint : cluster?.Endpoint;
}
