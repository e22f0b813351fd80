/**
 * How a task acts on a preflight report: errors refuse the run (PreflightFailedError, before the
 * task writes anything), warnings are logged and the run goes on.
 */
import { logger } from '../runtime/observability';
import { PreflightFailedError } from '../runtime/task-errors';
import { describeProblem, errorsOf, type PreflightReport, warningsOf } from './preflight-problem';

const LISTED = 20;

export function refuseOnProblems(report: PreflightReport, what: string): void {
  const warnings = warningsOf(report);
  if (warnings.length > 0)
    logger.warn(`preflight warnings for ${what}`, {
      warnings: warnings.slice(0, LISTED).map(describeProblem),
    });
  const errors = errorsOf(report);
  if (errors.length === 0) return;
  const listed = errors.slice(0, LISTED).map(describeProblem);
  throw new PreflightFailedError(
    `${what} refused before any change: the plan does not fit the account (${errors.length} problem(s)): ${listed.join(' | ')}${errors.length > LISTED ? ' | …' : ''}`,
    { problems: errors.slice(0, LISTED).map((p) => ({ path: p.path, message: p.message, fix: p.fix })) },
  );
}
