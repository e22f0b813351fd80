import { readFileSync } from 'node:fs';
import { parsePlanObject, parsePlanText } from '../../lambdas/plan/parse-plan';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';

/** examples/pendulum.yaml exactly as written, parsed: what the rehearsal plays and users copy. */
export function examplePlan(): Plan {
  const result = parsePlanText(
    readFileSync(new URL('../../examples/pendulum.yaml', import.meta.url), 'utf8'),
  );
  if (!result.ok) throw new Error(`examples/pendulum.yaml is invalid: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

/**
 * The annotated example plan, parsed, without its Aurora cluster: what users start from, so tests
 * keep it honest. The example names an Aurora cluster for the rehearsal, which plays the whole plan
 * (test/rehearsal); the tests of everything else take it as it was before: no cluster, no placement
 * or record naming one, and the default write freeze (the example's `maintenance` is there because
 * readOnly cannot freeze a cluster). Cluster tests add the cluster they exercise themselves
 * (test/workflows/aurora-failover.test.ts and the like).
 */
export function samplePlan(): Plan {
  const plan = structuredClone(examplePlan()) as PlanInput;
  const clusters = new Map<string, string>();
  for (const tier of plan.tiers)
    tier.resources = tier.resources.filter((r) => {
      if (!('aurora' in r)) return true;
      clusters.set(r.aurora.clusterIdentifier, r.aurora.role ?? r.aurora.clusterIdentifier);
      return false;
    });
  if (clusters.size === 0) return examplePlan();
  const roles = new Set(clusters.values());
  plan.placement = Object.fromEntries(
    Object.entries(plan.placement ?? {}).filter(([role]) => !roles.has(role)),
  );
  for (const zone of plan.dns?.zones ?? [])
    zone.records = (zone.records ?? []).filter(
      (r) => !('database' in r.target && clusters.has(r.target.database)),
    );
  if (plan.failback) {
    const { freeze: _freeze, maintenance: _maintenance, ...rest } = plan.failback;
    plan.failback = rest;
  }
  const result = parsePlanObject(plan);
  if (!result.ok)
    throw new Error(`the sample plan without its cluster is invalid: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

/** The sample plan with changes (e.g. the health URL of this test's endpoint), checked again. */
export function samplePlanWith(change: (plan: PlanInput) => void): Plan {
  const plan = structuredClone(samplePlan()) as PlanInput;
  change(plan);
  const result = parsePlanObject(plan);
  if (!result.ok) throw new Error(`changed plan is invalid: ${JSON.stringify(result.problems)}`);
  return result.plan;
}
