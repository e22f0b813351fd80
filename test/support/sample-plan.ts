import { readFileSync } from 'node:fs';
import { parsePlanObject, parsePlanText } from '../../lambdas/plan/parse-plan';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';

/** The annotated example plan, parsed: what users start from, so tests keep it honest. */
export function samplePlan(): Plan {
  const result = parsePlanText(
    readFileSync(new URL('../../examples/pendulum.yaml', import.meta.url), 'utf8'),
  );
  if (!result.ok) throw new Error(`examples/pendulum.yaml is invalid: ${JSON.stringify(result.problems)}`);
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
