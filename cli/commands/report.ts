import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { type Command, Option } from 'commander';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { renderHtml } from '../../lambdas/reports/render-html';
import { renderMarkdown } from '../../lambdas/reports/render-markdown';
import {
  type DnsCutoverDocument,
  type OutcomeDocument,
  reportFromOutcome,
} from '../../lambdas/reports/report-from-outcome';
import type { TimelineStep } from '../../lambdas/reports/run-report-model';
import { timelineFromHistory } from '../../lambdas/reports/timeline-from-events';
import { StateTable } from '../../lambdas/state/state-table';
import type { CliContext } from '../cli-context';
import { EXIT, UsageError } from '../exit-codes';
import { loadPlanForCommand } from '../load-plan';
import { paint } from '../output';
import { documentClient, s3Client, stackResources } from '../stack-resources';
import { executionArnFor, findStateMachine, stateMachineName } from '../workflow-client';
import { LOCAL_HELP, PLAN_HELP } from '../workflow-command';

interface ReportOptions {
  readonly plan: string;
  readonly local?: boolean;
  readonly format: 'md' | 'html';
  readonly out: string;
}

const RUN_ID = /^[\w.-]{1,80}$/;

/**
 * The execution's steps from Step Functions, when the execution can still be read (history is
 * kept 90 days). A report without a timeline is still a report, so any failure here is silent.
 */
async function deployedTimeline(plan: Plan, workflow: string, runId: string): Promise<TimelineStep[]> {
  try {
    const sfn = new SFNClient({ region: plan.recoveryRegion });
    const machineArn = await findStateMachine(sfn, stateMachineName(plan, workflow));
    if (!machineArn) return [];
    const executionArn = executionArnFor(machineArn, runId);
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return timelineFromHistory(events, { tierNames: plan.tiers.map((t) => t.name) });
  } catch {
    return [];
  }
}

export function registerReport(program: Command, cli: CliContext): void {
  program
    .command('report')
    .description("write a run's report (Markdown or a self-contained HTML page) from its recorded outcome")
    .argument('<run>', 'the run id (the execution name, as `pendulum status` lists it)')
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .addOption(new Option('--format <format>', 'md or html').choices(['md', 'html']).default('md'))
    .option('--out <dir>', 'directory to write <run>.md or <run>.html into', 'reports')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum report failover-20261128T0225-3f2a9c1b0d --plan pendulum.yaml',
        '  pendulum report failover-20261128T0225-3f2a9c1b0d --plan pendulum.yaml --format html --out /tmp/reports',
      ].join('\n'),
    )
    .action(async (runId: string, options: ReportOptions) => {
      const out = cli.output(false);
      if (!RUN_ID.test(runId)) throw new UsageError(`"${runId}" is not a run id (letters, digits, . _ -)`);
      const plan = loadPlanForCommand(options.plan, out);
      if (!plan) {
        cli.setExit(EXIT.usage);
        return;
      }
      const stack = await stackResources(plan, { local: options.local });
      const run = await new StateTable(documentClient(stack.region), stack.tableName).getRun(plan.app, runId);
      if (!run)
        throw new UsageError(
          `no run ${runId} of ${plan.app}; \`pendulum status --plan ${options.plan}\` lists the last runs`,
        );
      if (typeof run.outcomeKey !== 'string') {
        out.error(
          `pendulum: run ${runId} has no outcome yet (status ${String(run.status ?? 'unknown')}); report it once it has ended`,
        );
        cli.setExit(EXIT.failed);
        return;
      }
      const artifacts = new ArtifactStore(s3Client(stack.region), stack.bucketName);
      const outcome = await artifacts.getJson<OutcomeDocument>(run.outcomeKey);
      const cutoverKey = outcome.keys?.dnsCutover ?? run.dnsCutoverKey;
      const dnsCutover =
        typeof cutoverKey === 'string'
          ? await artifacts.getJsonIfExists<DnsCutoverDocument>(cutoverKey)
          : undefined;
      const workflow = String(outcome.workflow ?? run.workflow ?? 'failover');
      const timeline = stack.mode === 'deployed' ? await deployedTimeline(plan, workflow, runId) : [];
      const report = reportFromOutcome(outcome, {
        primaryRegion: plan.primaryRegion,
        recoveryRegion: plan.recoveryRegion,
        ...(dnsCutover ? { dnsCutover } : {}),
        timeline,
      });
      const file = join(options.out, `${runId}.${options.format}`);
      mkdirSync(options.out, { recursive: true });
      writeFileSync(file, options.format === 'html' ? renderHtml(report) : renderMarkdown(report));
      out.line(`${paint(out, 'green', '✓')} wrote the ${workflow} report of run ${runId} to ${file}`);
      cli.setExit(EXIT.ok);
    });
}
