import { type Command, InvalidArgumentError, Option } from 'commander';
import { durationSeconds, formatDuration } from '../../lambdas/plan/duration';
import { StateTable } from '../../lambdas/state/state-table';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import { loadPlanForCommand } from '../load-plan';
import { paint } from '../output';
import { documentClient, stackResources } from '../stack-resources';
import { LOCAL_HELP, PLAN_HELP } from '../workflow-command';

interface ApproveOptions {
  readonly plan: string;
  readonly local?: boolean;
  readonly json?: boolean;
  readonly by: string;
  readonly reason: string;
  readonly workflow: 'failover' | 'failback';
}

function text(what: string, max: number) {
  return (value: string) => {
    if (value.trim() === '') throw new InvalidArgumentError(`expected ${what}`);
    if (value.length > max) throw new InvalidArgumentError(`at most ${max} characters`);
    return value.trim();
  };
}

/** The approval record a waiting workflow looks for: `APP#<app>` / `APPROVAL#<workflow>`. */
export function approvalItem(
  app: string,
  workflow: string,
  approvedBy: string,
  reason: string,
  now: Date,
  validSeconds: number,
): Record<string, unknown> {
  return {
    pk: `APP#${app}`,
    sk: `APPROVAL#${workflow}`,
    app,
    workflow,
    approvedBy,
    reason,
    approvedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + validSeconds * 1000).toISOString(),
  };
}

export function registerApprove(program: Command, cli: CliContext): void {
  program
    .command('approve')
    .description(
      'approve a failover (or failback) that waits for a person: writes the approval to the state table',
    )
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .requiredOption('--by <name>', 'who approves (kept with the run)', text('a name', 256))
    .requiredOption('--reason <text>', 'why (kept with the run)', text('a reason', 1024))
    .addOption(
      new Option('--workflow <workflow>', 'what is approved')
        .choices(['failover', 'failback'])
        .default('failover'),
    )
    .option('--json', 'print the approval record as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum approve --plan pendulum.yaml --by alice --reason "primary down, INC-1234"',
        '  pendulum approve --plan pendulum.yaml --by bob --reason "window agreed" --workflow failback',
        '',
        "The approval is valid for the plan's triggers.approvalTimeout from now.",
      ].join('\n'),
    )
    .action(async (options: ApproveOptions) => {
      const out = cli.output(options.json === true);
      const plan = loadPlanForCommand(options.plan, out);
      if (!plan) {
        cli.setExit(EXIT.usage);
        return;
      }
      const stack = await stackResources(plan, { local: options.local });
      const validSeconds = durationSeconds(plan.triggers.approvalTimeout);
      const item = approvalItem(
        plan.app,
        options.workflow,
        options.by,
        options.reason,
        new Date(),
        validSeconds,
      );
      await new StateTable(documentClient(stack.region), stack.tableName).put(item);
      if (out.json) out.data({ approved: true, table: stack.tableName, ...item });
      else
        out.line(
          `${paint(out, 'green', '✓')} ${options.workflow} of ${plan.app} approved by ${options.by} until ${String(item.expiresAt)} (${formatDuration(validSeconds)}): ${options.reason}`,
        );
      cli.setExit(EXIT.ok);
    });
}
