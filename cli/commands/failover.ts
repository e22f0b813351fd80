import { type Command, InvalidArgumentError } from 'commander';
import { failoverInputSchema } from '../../lambdas/failover/failover-input';
import { formatDuration } from '../../lambdas/plan/duration';
import type { CliContext } from '../cli-context';
import { showDryRun } from '../dry-run-output';
import { type Output, paint } from '../output';
import type { WorkflowRun } from '../workflow-client';
import { type CommonOptions, LOCAL_HELP, PLAN_HELP, workflowAction } from '../workflow-command';

interface FailoverOptions extends CommonOptions {
  readonly recoveryPoint?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly reason?: string;
}

/** `latest`, or an ISO-8601 time with its offset: the same rule the workflow applies. */
export function parseRecoveryPoint(value: string): string {
  const parsed = failoverInputSchema.shape.recoveryPoint.safeParse(value);
  if (!parsed.success)
    throw new InvalidArgumentError('expected "latest" or an ISO-8601 time such as 2026-11-27T18:00:00Z');
  return value;
}

export function parseReason(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('expected some text');
  if (value.length > 1024) throw new InvalidArgumentError('at most 1024 characters');
  return value;
}

/** The failover outcome summary (RecordFailover's result), for people. */
export function describeFailover(run: WorkflowRun, out: Output): void {
  const o = run.output as
    | {
        app?: string;
        activeRegion?: string;
        recovered?: number;
        rtoSeconds?: number;
        targetsMet?: boolean;
        outcomeKey?: string;
        runId?: string;
      }
    | undefined;
  if (!o?.activeRegion) return;
  out.line(
    `${o.app} now runs in ${o.activeRegion}: ${o.recovered ?? 0} resource(s) recovered, RTO ${formatDuration(o.rtoSeconds ?? 0)}, ${o.targetsMet ? paint(out, 'green', 'RTO and RPO targets met') : paint(out, 'red', 'targets MISSED')}.`,
  );
  if (o.outcomeKey) out.line(`Outcome: ${o.outcomeKey}`);
  out.line(`Report: pendulum report ${o.runId ?? run.runId} --plan <plan>`);
}

export function registerFailover(program: Command, cli: CliContext): void {
  program
    .command('failover')
    .description(
      'fail the app over to the recovery region (or, with --dry-run, show exactly what that would change)',
    )
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .option(
      '--recovery-point <when>',
      'latest (default), or an ISO-8601 time: the newest recovery point at or before it',
      parseRecoveryPoint,
    )
    .option('--force', "accept recovery points older than their tier's RPO")
    .option('--dry-run', 'work out and show the change set; write nothing')
    .option('--reason <text>', 'why: kept with the run and sent in notifications', parseReason)
    .option('--json', 'print { status, runId, executionArn, rtoSeconds, output } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum failover --plan pendulum.yaml --dry-run',
        '  pendulum failover --plan pendulum.yaml --reason "us-east-1 outage, INC-1234"',
        '  pendulum failover --plan pendulum.yaml --recovery-point 2026-11-27T18:00:00Z --force',
        '  pendulum failover --plan pendulum.yaml --json',
        '',
        'Starting twice within the same minute with the same options follows the first execution.',
        'Exit status: 0 failed over (or dry run done), 1 the run failed or was refused, 2 bad usage.',
      ].join('\n'),
    )
    .action((options: FailoverOptions) =>
      workflowAction(cli, options, (plan) => ({
        workflow: 'failover',
        dryRun: options.dryRun === true,
        input: {
          ...(options.recoveryPoint !== undefined ? { recoveryPoint: options.recoveryPoint } : {}),
          ...(options.force ? { force: true } : {}),
          ...(options.dryRun ? { dryRun: true } : {}),
          ...(options.reason !== undefined ? { reason: options.reason } : {}),
        },
        describeOutput: (run, out) =>
          options.dryRun ? showDryRun('failover', run, out, plan, options.local) : describeFailover(run, out),
      })),
    );
}
