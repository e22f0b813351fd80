import type { Plan, PlanResource, Tier } from '../plan/plan-schema';

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

/**
 * The plan resource that gives `role` (or, failing that, the database with that identifier), in
 * the tier named; without a tier, the first tier that has it (roles and databases are unique
 * across a plan). Undefined when none does.
 */
export function planResourceOf(
  plan: Pick<Plan, 'tiers'>,
  role: string | undefined,
  tierName?: string,
): PlanResource | undefined {
  if (role === undefined) return undefined;
  for (const tier of plan.tiers) {
    if (tierName !== undefined && tier.name !== tierName) continue;
    const resource =
      resourceOfRole(tier, role) ??
      tier.resources.find(
        (r) =>
          ('rds' in r ? r.rds.identifier : 'aurora' in r ? r.aurora.clusterIdentifier : undefined) === role,
      );
    if (resource) return resource;
  }
  return undefined;
}
