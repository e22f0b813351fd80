import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatDuration } from '../../lambdas/plan/duration';
import type { CliContext } from '../cli-context';
import { showDryRun } from '../dry-run-output';
import type { Output } from '../output';
import type { WorkflowRun } from '../workflow-client';
import { type CommonOptions, LOCAL_HELP, PLAN_HELP, workflowAction } from '../workflow-command';

interface FailbackOptions extends CommonOptions {
  readonly strategy?: 'cutover' | 'staged';
  readonly prefer?: 'failback' | 'current';
  readonly steps?: number[];
  readonly dryRun?: boolean;
}

/** `10,50,100`: whole percentages of traffic to the primary, increasing, ending at 100. */
export function parseSteps(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const steps = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || steps.some((s) => s < 1 || s > 100))
    throw new InvalidArgumentError(
      'expected whole percentages from 1 to 100, comma-separated, such as 10,50,100',
    );
  if (steps.some((s, i) => i > 0 && s <= (steps[i - 1] ?? 0)))
    throw new InvalidArgumentError('expected the steps in increasing order, such as 10,50,100');
  if (steps.at(-1) !== 100) throw new InvalidArgumentError('expected the last step to be 100');
  return steps;
}

function describeFailback(run: WorkflowRun, out: Output): void {
  const o = run.output as
    | { app?: string; activeRegion?: string; rtoSeconds?: number; outcomeKey?: string }
    | undefined;
  if (!o || typeof o !== 'object') return;
  if (o.activeRegion)
    out.line(
      `${o.app ?? 'The app'} now runs in ${o.activeRegion}${typeof o.rtoSeconds === 'number' ? ` (took ${formatDuration(o.rtoSeconds)})` : ''}.`,
    );
  if (o.outcomeKey) out.line(`Outcome: ${o.outcomeKey}`);
}

export function registerFailback(program: Command, cli: CliContext): void {
  program
    .command('failback')
    .description('bring the app back to the primary region after a failover')
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .addOption(
      new Option(
        '--strategy <strategy>',
        "cutover: one DNS change; staged: weighted steps (default: the plan's)",
      ).choices(['cutover', 'staged']),
    )
    .addOption(
      new Option(
        '--prefer <side>',
        'for records changed on both sides since failover: keep the failback value or the current one',
      ).choices(['failback', 'current']),
    )
    .option('--steps <percentages>', 'staged weights to the primary, e.g. 10,50,100', parseSteps)
    .option('--dry-run', 'work out and show the change set; write nothing')
    .option('--json', 'print { status, runId, executionArn, rtoSeconds, output } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum failback --plan pendulum.yaml --dry-run',
        '  pendulum failback --plan pendulum.yaml --strategy staged --steps 10,50,100',
        '  pendulum failback --plan pendulum.yaml --strategy cutover --prefer current --json',
        '',
        'A stack deployed before failback existed has no failback workflow: the command then exits 1.',
      ].join('\n'),
    )
    .action((options: FailbackOptions) =>
      workflowAction(cli, options, (plan) => ({
        workflow: 'failback',
        dryRun: options.dryRun === true,
        input: {
          ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
          ...(options.prefer !== undefined ? { prefer: options.prefer } : {}),
          ...(options.steps !== undefined ? { steps: options.steps } : {}),
          ...(options.dryRun ? { dryRun: true } : {}),
        },
        describeOutput: (run, out) =>
          options.dryRun ? showDryRun('failback', run, out, plan, options.local) : describeFailback(run, out),
      })),
    );
}
