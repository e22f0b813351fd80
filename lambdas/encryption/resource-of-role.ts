import type { PlanResource, Tier } from '../plan/plan-schema';

/**
 * The plan resource that gives a tier's role (an ec2 role, or an rds/aurora role which defaults to
 * its identifier): what its kmsKeys are read from.
 */
export function resourceOfRole(tier: Pick<Tier, 'resources'>, role: string): PlanResource | undefined {
  return tier.resources.find((r) => {
    if ('ec2' in r) return r.ec2.role === role;
    if ('rds' in r) return (r.rds.role ?? r.rds.identifier) === role;
    return (r.aurora.role ?? r.aurora.clusterIdentifier) === role;
  });
}
