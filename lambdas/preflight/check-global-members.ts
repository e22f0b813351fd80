/**
 * (g) The Aurora global databases the plan names: each exists, the plan's cluster is its member in
 * the primary region, and it has a member in the recovery region with at least one instance.
 * Failover promotes that member and serves from its instances; a secondary with none (a
 * "headless" one, which Aurora allows: Aurora User Guide, "Using Amazon Aurora global databases")
 * would be promoted with nothing to serve from, found only mid-incident.
 */
import type { RDSClient } from '@aws-sdk/client-rds';
import { findCluster } from '../failover/aurora-recovery';
import { describeGlobalDatabase, memberIn } from '../failover/global-database';
import type { PlanPath } from '../plan/plan-references';
import type { Plan } from '../plan/plan-schema';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { type PreflightProblem, problem } from './preflight-problem';

export async function checkGlobalMembers(
  rds: { primary: RDSClient; recovery: RDSClient },
  plan: Plan,
): Promise<PreflightProblem[]> {
  const members = plan.tiers.flatMap((tier, t) =>
    tier.resources.flatMap((resource, r) =>
      'aurora' in resource && resource.aurora.globalClusterIdentifier
        ? [
            {
              cluster: resource.aurora.clusterIdentifier,
              global: resource.aurora.globalClusterIdentifier,
              path: ['tiers', t, 'resources', r, 'aurora', 'globalClusterIdentifier'] as PlanPath,
            },
          ]
        : [],
    ),
  );
  const { primaryRegion: primary, recoveryRegion: recovery } = plan;
  const found = await mapWithConcurrency(members, 10, async (m): Promise<PreflightProblem[]> => {
    const db = await describeGlobalDatabase(rds.primary, m.global);
    if (!db)
      return [
        problem(
          'missing',
          m.path,
          `no Aurora global database ${m.global}; expected one with ${m.cluster} as its member in ${primary}`,
          `correct globalClusterIdentifier (aws rds describe-global-clusters), or remove it to protect ${m.cluster} by snapshots`,
        ),
      ];
    if (!db.members.some((x) => x.region === primary && x.clusterIdentifier === m.cluster))
      return [
        problem(
          'unsupported',
          m.path,
          `${m.cluster} in ${primary} is not a member of global database ${m.global} (its members: ${db.members.map((x) => `${x.clusterIdentifier} in ${x.region}`).join(', ') || 'none'})`,
          `name the global database ${m.cluster} belongs to, or add ${m.cluster} to ${m.global}`,
        ),
      ];
    const secondary = memberIn(db, recovery);
    if (!secondary)
      return [
        problem(
          'unsupported',
          m.path,
          `global database ${m.global} has no member in ${recovery}: failover would have nothing to promote`,
          `add a secondary cluster in ${recovery} (aws rds create-db-cluster --global-cluster-identifier ${m.global} --region ${recovery})`,
        ),
      ];
    const cluster = await findCluster(rds.recovery, secondary.clusterIdentifier);
    if ((cluster?.DBClusterMembers ?? []).length === 0)
      return [
        problem(
          'unsupported',
          m.path,
          `${secondary.clusterIdentifier}, the member of ${m.global} in ${recovery}, has no DB instance: promoted, it would serve nothing`,
          `add an instance to it (aws rds create-db-instance --db-cluster-identifier ${secondary.clusterIdentifier} --region ${recovery}); Pendulum does not create instances in a promoted member`,
        ),
      ];
    return [];
  });
  return found.flat();
}
