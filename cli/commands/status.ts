import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import type { Command } from 'commander';
import { formatDuration } from '../../lambdas/plan/duration';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { listAmiRecoveryPoints } from '../../lambdas/recovery-points/ami-recovery-points';
import { listDbRecoveryPoints } from '../../lambdas/recovery-points/db-recovery-points';
import {
  type ProtectedSource,
  resolveProtectedSources,
} from '../../lambdas/recovery-points/resolve-protected-sources';
import { StateTable } from '../../lambdas/state/state-table';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import { loadPlanForCommand } from '../load-plan';
import { type Output, paint } from '../output';
import { rpoByTier, type TierRpo } from '../rpo-status';
import { documentClient, stackResources } from '../stack-resources';
import { table, utcTime } from '../table';
import { type CommonOptions, LOCAL_HELP, PLAN_HELP } from '../workflow-command';

const RUNS_SHOWN = 10;
const LOCKED = new Set(['FAILING_OVER', 'FAILING_BACK']);

/**
 * The resources the plan selects in the primary region now. The primary may be the region that is
 * down, so this is asked briefly and once; without it, tag-selected roles are judged by the
 * instances their newest recovery points were taken of.
 */
async function primarySources(plan: Plan): Promise<{ sources?: ProtectedSource[]; problem?: string }> {
  const config = {
    region: plan.primaryRegion,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 3000, requestTimeout: 8000 },
  };
  const ec2 = new EC2Client(config);
  const rds = new RDSClient(config);
  try {
    const resolved = await Promise.all(
      plan.tiers.map((tier) => resolveProtectedSources({ ec2, rds }, tier, plan.app)),
    );
    return { sources: resolved.flatMap((r) => r.sources) };
  } catch (error) {
    return { problem: `${plan.primaryRegion} did not answer (${(error as Error).message})` };
  } finally {
    ec2.destroy();
    rds.destroy();
  }
}

function printTiers(out: Output, tiers: readonly TierRpo[]): void {
  for (const tier of tiers) {
    const worst =
      tier.worstAgeSeconds === undefined ? 'no points' : `worst ${formatDuration(tier.worstAgeSeconds)}`;
    const verdict = tier.rpoMet ? paint(out, 'green', '✓ within RPO') : paint(out, 'red', '✗ RPO not met');
    out.line(
      `  tier ${paint(out, 'bold', tier.tier)}: RPO ${formatDuration(tier.rpoSeconds)}, ${worst} ${verdict}`,
    );
    const rows = tier.resources.map((r) =>
      r.missing
        ? [
            r.role,
            r.source,
            paint(out, 'red', 'MISSING'),
            paint(out, 'red', r.note ?? 'no available recovery point'),
            '',
          ]
        : [
            r.role,
            r.source,
            r.point?.id ?? '',
            utcTime(r.point?.takenAt),
            r.withinRpo
              ? formatDuration(r.ageSeconds ?? 0)
              : paint(out, 'red', `${formatDuration(r.ageSeconds ?? 0)} (over RPO)`),
          ],
    );
    for (const line of table(['ROLE', 'SOURCE', 'POINT', 'TAKEN', 'AGE'], rows, '    ')) out.line(line);
  }
}

export function registerStatus(program: Command, cli: CliContext): void {
  program
    .command('status')
    .description(
      'where the app runs, who holds the lock, the last runs, and how old each tier’s recovery points are',
    )
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum status --plan pendulum.yaml',
        '  pendulum status --plan pendulum.yaml --json',
      ].join('\n'),
    )
    .action(async (options: CommonOptions) => {
      const out = cli.output(options.json === true);
      const plan = loadPlanForCommand(options.plan, out);
      if (!plan) {
        cli.setExit(EXIT.usage);
        return;
      }
      const stack = await stackResources(plan, { local: options.local });
      const state = new StateTable(documentClient(stack.region), stack.tableName);
      const recoveryEc2 = new EC2Client({ region: plan.recoveryRegion });
      const recoveryRds = new RDSClient({ region: plan.recoveryRegion });
      const now = new Date();
      const [app, runs, amis, dbs, primary] = await Promise.all([
        state.getApp(plan.app, plan.primaryRegion),
        state.listRuns(plan.app, RUNS_SHOWN),
        listAmiRecoveryPoints(recoveryEc2, plan.app),
        listDbRecoveryPoints(recoveryRds, plan.app, plan),
        primarySources(plan),
      ]);
      recoveryEc2.destroy();
      recoveryRds.destroy();
      const tiers = rpoByTier(plan, [...amis, ...dbs], now, primary.sources);
      const locked = LOCKED.has(app.status);
      const lock = { held: locked, ...(app.runId ? { runId: app.runId } : {}) };
      const runRows = runs.map((r) => ({
        runId: String(r.runId ?? ''),
        workflow: String(r.workflow ?? ''),
        status: String(r.status ?? ''),
        startedAt: r.startedAt as string | undefined,
        completedAt: (r.completedAt ?? r.failedAt) as string | undefined,
        ...(typeof r.rtoSeconds === 'number' ? { rtoSeconds: r.rtoSeconds } : {}),
        ...(typeof r.targetsMet === 'boolean' ? { targetsMet: r.targetsMet } : {}),
        ...(r.error ? { error: String(r.error) } : {}),
        ...(r.message ? { message: String(r.message) } : {}),
        ...(r.outcomeKey ? { outcomeKey: String(r.outcomeKey) } : {}),
      }));

      if (out.json) {
        out.data({
          app: plan.app,
          status: app.status,
          activeRegion: app.activeRegion,
          primaryRegion: plan.primaryRegion,
          recoveryRegion: plan.recoveryRegion,
          lock,
          updatedAt: app.updatedAt,
          ...(app.lastError && /FAILED$/.test(app.status) ? { lastError: app.lastError } : {}),
          runs: runRows,
          rpoMet: tiers.every((t) => t.rpoMet),
          tiers,
          ...(primary.problem ? { primaryProblem: primary.problem } : {}),
        });
        cli.setExit(EXIT.ok);
        return;
      }

      const statusColour =
        app.status === 'PRIMARY_ACTIVE' ? 'green' : /FAILED$/.test(app.status) ? 'red' : 'yellow';
      out.line(
        `${paint(out, 'bold', plan.app)}: ${paint(out, statusColour, app.status)}, active in ${app.activeRegion} (primary ${plan.primaryRegion}, recovery ${plan.recoveryRegion})`,
      );
      out.line(
        locked
          ? paint(out, 'yellow', `lock: held by run ${app.runId ?? '?'} since ${utcTime(app.updatedAt)}`)
          : `lock: free${app.runId ? ` (last run ${app.runId})` : ''}`,
      );
      if (app.lastError && /FAILED$/.test(app.status))
        out.line(paint(out, 'red', `last error: ${String(app.lastError)}`));
      out.line();
      out.line(`Last runs (${runRows.length}):`);
      if (runRows.length === 0) out.line('  (none)');
      else
        for (const line of table(
          ['RUN', 'WORKFLOW', 'STATUS', 'STARTED', 'RTO', 'NOTE'],
          runRows.map((r) => [
            r.runId,
            r.workflow,
            r.status === 'FAILED' ? paint(out, 'red', r.status) : r.status,
            utcTime(r.startedAt),
            r.rtoSeconds === undefined ? '' : formatDuration(r.rtoSeconds),
            r.error
              ? `${r.error}: ${(r.message ?? '').slice(0, 80)}`
              : r.targetsMet === false
                ? 'targets missed'
                : '',
          ]),
        ))
          out.line(line);
      out.line();
      out.line(`Recovery points in ${plan.recoveryRegion} (newest per resource):`);
      if (primary.problem)
        out.line(paint(out, 'yellow', `  ${primary.problem}; instances judged by their recovery points`));
      printTiers(out, tiers);
      cli.setExit(EXIT.ok);
    });
}
