import type { Plan } from '../lambdas/plan/plan-schema';
import { describePlanProblems, readPlanFile } from '../lib/plan-file';
import type { Output } from './output';

/**
 * Reads `--plan FILE` for a command. A bad plan is reported exactly as `pendulum validate` reports
 * it (each problem with its file, line and path) and gives `undefined`: the command exits 2.
 */
export function loadPlanForCommand(file: string, out: Output): Plan | undefined {
  const result = readPlanFile(file);
  if (result.ok) return result.plan;
  if (out.json) {
    out.data({ valid: false, problems: result.problems });
  } else {
    out.error(`${file} is not a valid plan (${result.problems.length} problem(s)):`);
    for (const line of describePlanProblems(file, result.problems)) out.error(`  ${line}`);
  }
  return undefined;
}
