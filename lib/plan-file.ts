import { readFileSync } from 'node:fs';
import { type PlanResult, parsePlanText } from '../lambdas/plan/parse-plan';
import { formatPlanPath, type PlanProblem } from '../lambdas/plan/plan-references';
import type { Plan } from '../lambdas/plan/plan-schema';

/** Reads and checks a plan file; a missing or unreadable file is a problem like any other. */
export function readPlanFile(path: string): PlanResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `no plan file at ${path}; pass --plan FILE (see examples/pendulum.yaml)`
        : code === 'EISDIR'
          ? `${path} is a directory; expected a plan file`
          : `cannot read ${path}: ${(error as Error).message}`;
    return { ok: false, problems: [{ path: [], message }] };
  }
  return parsePlanText(text);
}

/** One line per problem: `file:line:col tiers[1].rpo: expected a duration ...`. */
export function describePlanProblems(file: string, problems: readonly PlanProblem[]): string[] {
  return problems.map((problem) => {
    const where = problem.line ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
    return problem.path.length === 0
      ? `${where} ${problem.message}`
      : `${where} ${formatPlanPath(problem.path)}: ${problem.message}`;
  });
}

export class PlanFileError extends Error {
  override readonly name = 'PlanFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly PlanProblem[],
  ) {
    super(`invalid plan ${file}:\n${describePlanProblems(file, problems).join('\n')}`);
  }
}

export function loadPlanFile(path: string): Plan {
  const result = readPlanFile(path);
  if (!result.ok) throw new PlanFileError(path, result.problems);
  return result.plan;
}
