/**
 * How the rehearsal talks to people: each phase as a numbered heading with its wall time at the
 * end, each workflow state as it starts and finishes (the CLI's progress lines), and the check
 * list. Nothing is printed in --json mode; colour follows the Output (a TTY, and NO_COLOR unset).
 */

import { type Output, paint } from '../output';
import { formatSeconds, progressPrinter } from '../progress';
import type { StepEvent } from '../step-events';
import { formatModeled } from './modeled-time';
import type { Check, CheckPhase } from './rehearsal-checks';
import type { RehearsalResult } from './rehearsal-types';

/** An Output that drops everything: the default when runRehearsal is called without one. */
export function silentOutput(): Output {
  return { json: true, colour: false, line: () => {}, error: () => {}, data: () => {} };
}

export class RehearsalOutput {
  private readonly human: boolean;

  constructor(
    readonly out: Output,
    /** Wait states are shortened locally; their real length is said next to them. */
    private readonly waitLengths: Record<string, string> = {},
  ) {
    this.human = !out.json;
  }

  line(text = ''): void {
    if (this.human) this.out.line(text);
  }

  dim(text: string): string {
    return paint(this.out, 'dim', text);
  }

  heading(index: number, count: number, title: string): void {
    this.line();
    this.line(paint(this.out, 'bold', `▶ ${index}/${count}  ${title}`));
  }

  phaseEnd(ms: number, status: 'done' | 'failed'): void {
    const mark = status === 'done' ? paint(this.out, 'green', '■') : paint(this.out, 'red', '■');
    this.line(
      `${mark} ${this.dim(`phase ${status === 'done' ? 'took' : 'failed after'} ${formatSeconds(ms)}`)}`,
    );
  }

  skipped(index: number, count: number, title: string, why: string): void {
    this.line();
    this.line(this.dim(`▷ ${index}/${count}  ${title}: skipped (${why})`));
  }

  /** Progress lines for one workflow run: slow states when they start, every state when it ends. */
  stepPrinter(): (step: StepEvent) => void {
    if (!this.human) return () => {};
    const print = progressPrinter(this.out, { showEntered: true });
    return (step) => {
      const real = step.stateType === 'Wait' ? this.waitLengths[step.state] : undefined;
      if (real && step.type === 'exited') {
        const indent = '  '.repeat(step.depth + 1);
        this.line(
          `${indent}${paint(this.out, 'green', '✓')} ${step.state} ${this.dim(`${formatSeconds(step.durationMs ?? 0)} (${real} in the plan, shortened locally)`)}`,
        );
        return;
      }
      print(step);
    };
  }

  note(text: string): void {
    this.line(`  ${this.dim(text)}`);
  }

  ok(text: string): void {
    this.line(`  ${paint(this.out, 'green', '✓')} ${text}`);
  }

  bad(text: string): void {
    this.line(`  ${paint(this.out, 'red', '✗')} ${text}`);
  }

  checksLine(checks: readonly Check[]): void {
    const failed = checks.filter((c) => !c.ok).length;
    const text = `verified in AWS: ${checks.length - failed} of ${checks.length} check(s) passed`;
    if (failed === 0) this.ok(text);
    else this.bad(text);
  }

  checkList(checks: readonly Check[]): void {
    const titles: Record<CheckPhase, string> = {
      estate: 'The sample estate and its registration',
      protect: 'After protect',
      failover: 'After failover',
      failback: 'After failback',
    };
    for (const phase of ['estate', 'protect', 'failover', 'failback'] as const) {
      const inPhase = checks.filter((c) => c.phase === phase);
      if (inPhase.length === 0) continue;
      this.line(`  ${titles[phase]}:`);
      for (const c of inPhase) {
        const mark = c.ok ? paint(this.out, 'green', '✓') : paint(this.out, 'red', '✗');
        const detail = c.detail ? ` ${this.dim(`— ${c.detail}`)}` : '';
        this.line(
          `    ${mark} ${c.name}${c.ok ? detail : ` ${paint(this.out, 'red', `— ${c.detail ?? 'failed'}`)}`}`,
        );
      }
    }
  }

  summary(result: RehearsalResult): void {
    const passed = result.checks.filter((c) => c.ok).length;
    this.line();
    const verdict = result.ok
      ? paint(this.out, 'green', `Rehearsal passed: ${passed} of ${result.checks.length} checks.`)
      : paint(this.out, 'red', `Rehearsal FAILED: ${passed} of ${result.checks.length} checks passed.`);
    this.line(paint(this.out, 'bold', verdict));
    if (result.error) this.line(paint(this.out, 'red', `Stopped: ${result.error}`));
    this.line(
      result.iam.mode === 'off'
        ? 'IAM: not enforced (--iam off)'
        : `IAM: ${result.iam.authorized} calls of ${result.iam.roles} task roles authorized against their synthesized policies, ${result.iam.denied} denied`,
    );
    this.line(
      `Phases: ${result.phases
        .filter((p) => p.status !== 'skipped')
        .map((p) => `${p.name} ${formatSeconds(p.ms)}`)
        .join(', ')}`,
    );
    if (result.aws === 'realistic') {
      const modeled = result.phases.filter((p) => (p.modeledMs ?? 0) > 0);
      this.line(
        `Modeled on AWS (realistic local AWS): ${modeled.map((p) => `${p.name} ${formatModeled(p.modeledMs ?? 0)}`).join(', ')}`,
      );
      const rto = result.modeledRto;
      if (rto?.overallMs !== undefined)
        this.line(
          `Modeled RTO: ${formatModeled(rto.overallMs)} to DNS in sync (${rto.tiers
            .map((t) => `${t.tier} ${t.ms !== undefined ? formatModeled(t.ms) : '?'}`)
            .join(', ')})`,
        );
    }
    const reports = [
      result.reports.failover?.html,
      result.reports.failback?.html,
      result.reports.summary,
    ].filter((p): p is string => p !== undefined);
    if (reports.length > 0) this.line(`Reports: ${reports.join(', ')}`);
    this.line(paint(this.out, 'bold', `Total time: ${formatSeconds(result.totalMs)}`));
  }
}
