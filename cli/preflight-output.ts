/** How `validate --aws` shows the preflight's problems: each with its plan path, what was expected, and what to do. */
import { formatPlanPath } from '../lambdas/plan/plan-references';
import type { PreflightProblem } from '../lambdas/preflight/preflight-problem';
import { type Output, paint } from './output';

export function preflightJson(problems: readonly PreflightProblem[]) {
  return problems.map((p) => ({
    path: p.path,
    at: formatPlanPath(p.path),
    check: p.check,
    severity: p.severity,
    message: p.message,
    fix: p.fix,
  }));
}

export function printPreflightProblems(out: Output, problems: readonly PreflightProblem[]): void {
  for (const p of problems) {
    const mark = p.severity === 'error' ? paint(out, 'red', '✗') : paint(out, 'yellow', '!');
    const write = (text: string) => (p.severity === 'error' ? out.error(text) : out.line(text));
    write(`  ${mark} ${formatPlanPath(p.path)}: ${p.message}`);
    write(`      fix: ${p.fix}`);
  }
}
