import { readFileSync } from 'node:fs';
import { parsePlanText } from '../../lambdas/plan/parse-plan';
import type { Plan } from '../../lambdas/plan/plan-schema';

/** The annotated example plan, parsed: what users start from, so tests keep it honest. */
export function samplePlan(): Plan {
  const result = parsePlanText(
    readFileSync(new URL('../../examples/pendulum.yaml', import.meta.url), 'utf8'),
  );
  if (!result.ok) throw new Error(`examples/pendulum.yaml is invalid: ${JSON.stringify(result.problems)}`);
  return result.plan;
}
