/**
 * What a preflight check found wrong with the plan against the account: where in the plan, what
 * was found and expected, and what to do. Errors refuse the run before anything is written;
 * warnings are reported (a quota a failover may exceed) and the run goes on.
 */
import { formatPlanPath, type PlanPath } from '../plan/plan-references';

export type PreflightSeverity = 'error' | 'warning';

/**
 * Which check found it. `missing` (a source the plan names is not there) is kept apart: protect
 * counts such sources as missing and goes on with the rest, as it always has.
 */
export type PreflightCheckName =
  | 'missing'
  | 'unsupported'
  | 'keys'
  | 'placement'
  | 'zones'
  | 'capacity'
  | 'copyLimits'
  /** A check that could not ask AWS (a failover goes on without it). */
  | 'unanswered';

export interface PreflightProblem {
  readonly path: PlanPath;
  readonly check: PreflightCheckName;
  readonly severity: PreflightSeverity;
  /** What was found, and what was expected. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

export interface PreflightReport {
  readonly problems: readonly PreflightProblem[];
}

export const errorsOf = (report: PreflightReport) => report.problems.filter((p) => p.severity === 'error');
export const warningsOf = (report: PreflightReport) =>
  report.problems.filter((p) => p.severity === 'warning');

export function problem(
  check: PreflightCheckName,
  path: PlanPath,
  message: string,
  fix: string,
  severity: PreflightSeverity = 'error',
): PreflightProblem {
  return { check, path, message, fix, severity };
}

/** `placement.web.subnets[0]: subnet … does not exist in us-west-2. Fix: …` */
export function describeProblem(p: PreflightProblem): string {
  return `${formatPlanPath(p.path)}: ${p.message}. Fix: ${p.fix}`;
}

/** Problems in plan order (by path), errors before warnings at the same path. */
export function sortProblems(problems: readonly PreflightProblem[]): PreflightProblem[] {
  return [...problems].sort(
    (a, b) =>
      formatPlanPath(a.path).localeCompare(formatPlanPath(b.path)) ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}
