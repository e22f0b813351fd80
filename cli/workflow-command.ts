/**
 * What every workflow command does once it has its input: start the workflow (locally or in
 * AWS), show progress, and end with a summary or JSON and the exit code (0 succeeded, 1 did not).
 */
import type { Plan } from '../lambdas/plan/plan-schema';
import type { CliContext } from './cli-context';
import { EXIT } from './exit-codes';
import { loadPlanForCommand } from './load-plan';
import { type Output, paint } from './output';
import { formatSeconds, progressPrinter } from './progress';
import { outcomeDetails } from './run-outcome-details';
import {
  type WorkflowClient,
  WorkflowMissingError,
  type WorkflowRun,
  workflowClient,
} from './workflow-client';

export interface WorkflowCommandSpec {
  readonly workflow: string;
  readonly plan: Plan;
  readonly local?: boolean;
  readonly input: Record<string, unknown>;
  /** Show no step lines (the `plan` command shows only the change set). */
  readonly quiet?: boolean;
  /** A dry run: said so in the summary. */
  readonly dryRun?: boolean;
  /** What to say about a successful run's output, for people. */
  readonly describeOutput?: (run: WorkflowRun, out: Output) => void | Promise<void>;
}

/** The options every workflow command takes. */
export interface CommonOptions {
  readonly plan: string;
  readonly local?: boolean;
  readonly json?: boolean;
}

export type ClientFactory = (plan: Plan, options: { local?: boolean }) => WorkflowClient;

/** `{ status, runId, executionArn, rtoSeconds, output }`: what `--json` prints for a run. */
export function runJson(run: WorkflowRun): Record<string, unknown> {
  const output = run.output as { rtoSeconds?: unknown } | undefined;
  return {
    status: run.status,
    workflow: run.workflow,
    mode: run.mode,
    runId: run.runId,
    ...(run.mode === 'deployed' ? { executionArn: run.executionArn } : {}),
    rtoSeconds: typeof output?.rtoSeconds === 'number' ? output.rtoSeconds : null,
    output: run.output ?? null,
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(run.message !== undefined ? { message: run.message } : {}),
    ...(run.followedExisting ? { followedExisting: true } : {}),
    startedAt: run.startedAt,
    stoppedAt: run.stoppedAt,
  };
}

export async function runWorkflowCommand(
  out: Output,
  spec: WorkflowCommandSpec,
  makeClient: ClientFactory = workflowClient,
): Promise<number> {
  const client = makeClient(spec.plan, { local: spec.local });
  const human = !out.json;
  const where = client.mode === 'local' ? `locally (${process.env.AWS_ENDPOINT_URL})` : `in ${client.region}`;
  if (human && !spec.quiet) out.line(`Starting ${spec.workflow} of ${spec.plan.app} ${where}`);
  let run: WorkflowRun;
  try {
    run = await client.run(spec.workflow, spec.input, {
      onStarted: (started) => {
        if (!human || spec.quiet) return;
        if (started.followedExisting)
          out.line(
            paint(
              out,
              'yellow',
              `An execution with the same input was started this minute (${started.runId}, at ${started.startedAt}): following it rather than starting a second. Start again after the minute for a new run.`,
            ),
          );
        else out.line(`Run ${started.runId}`);
        if (client.mode === 'deployed')
          out.line(
            paint(out, 'dim', `${started.executionArn}\nCtrl-C stops following; the execution goes on.`),
          );
      },
      onStep:
        human && !spec.quiet ? progressPrinter(out, { showEntered: client.mode === 'deployed' }) : undefined,
    });
  } catch (error) {
    if (error instanceof WorkflowMissingError) {
      if (out.json)
        out.data({ status: 'MISSING', workflow: spec.workflow, error: error.name, message: error.message });
      else out.error(`pendulum: ${error.message}; deploy a newer Pendulum stack to get it`);
      return EXIT.failed;
    }
    throw error;
  }

  const took = formatSeconds(Date.parse(run.stoppedAt) - Date.parse(run.startedAt));
  if (out.json) {
    const outcomeKey = (run.output as { outcomeKey?: unknown } | undefined)?.outcomeKey;
    const details =
      run.status === 'SUCCEEDED' && typeof outcomeKey === 'string'
        ? await outcomeDetails(spec.plan, spec.local, outcomeKey).catch(() => undefined)
        : undefined;
    out.data({ ...runJson(run), ...(details ? { outcome: details } : {}) });
  } else if (run.status === 'SUCCEEDED') {
    if (!spec.quiet)
      out.line(
        `${paint(out, 'green', '✓')} ${spec.dryRun ? `${spec.workflow} dry run done` : `${spec.workflow} succeeded`} in ${took} (run ${run.runId})`,
      );
    await spec.describeOutput?.(run, out);
  } else {
    out.error(
      `${paint(out, 'red', '✗')} ${spec.workflow} ${run.status} after ${took} (run ${run.runId}): ${paint(out, 'red', `${run.error ?? run.status}${run.message && run.message !== run.error ? `: ${run.message}` : ''}`)}`,
    );
  }
  return run.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
}

/**
 * The common shape of a workflow command's action: read the plan (exit 2 if bad), build the input
 * (which may throw UsageError, exit 2), run and follow.
 */
export async function workflowAction(
  cli: CliContext,
  options: CommonOptions,
  build: (plan: Plan, out: Output) => Omit<WorkflowCommandSpec, 'plan' | 'local'>,
  makeClient: ClientFactory = workflowClient,
): Promise<void> {
  const out = cli.output(options.json === true);
  const plan = loadPlanForCommand(options.plan, out);
  if (!plan) {
    cli.setExit(EXIT.usage);
    return;
  }
  const spec = build(plan, out);
  cli.setExit(await runWorkflowCommand(out, { ...spec, plan, local: options.local }, makeClient));
}

export const LOCAL_HELP =
  'run against the local AWS in AWS_ENDPOINT_URL (e.g. moto), executing the synthesized workflow in-process';
export const PLAN_HELP = 'the protection plan (YAML)';
