/**
 * "Start a workflow and follow it to the end", two ways:
 *
 * - deployed (default): the stack's state machine `pendulum-<app>-<workflow>` in the plan's
 *   recovery region, through the Step Functions API. The execution name is deterministic
 *   (`<workflow>-<YYYYMMDDTHHmm UTC>-<sha256 of the input, 10 hex>`), so a double click within the
 *   same minute starts one execution and both clicks follow it.
 * - local (`--local`): the synthesized stack "deployed" into a local AWS (`AWS_ENDPOINT_URL`) and
 *   its state machine run in-process with the real handlers.
 *
 * Either way the caller gets the same WorkflowRun and the same StepEvents while it runs.
 */
import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { canonicalJson } from '../lambdas/dns/canonical-json';
import type { Plan } from '../lambdas/plan/plan-schema';
import { UsageError } from './exit-codes';
import { causeMessage, type StepEvent, StepTracker } from './step-events';

export type RunStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface WorkflowRun {
  readonly workflow: string;
  readonly mode: 'local' | 'deployed';
  readonly status: RunStatus;
  /** The execution name: the workflows use it as their run id. */
  readonly runId: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  /** The workflow's output, when it succeeded. */
  readonly output?: unknown;
  /** The error name, when it did not succeed. */
  readonly error?: string;
  /** The cause as Step Functions gives it (for Lambda errors a JSON document). */
  readonly cause?: string;
  /** The cause for people: a Lambda error's message, else the cause text. */
  readonly message?: string;
  readonly startedAt: string;
  readonly stoppedAt: string;
  /** An execution with this name already existed (a double start): it was followed, not started. */
  readonly followedExisting: boolean;
}

export interface StartedExecution {
  readonly runId: string;
  readonly executionArn: string;
  readonly startedAt: string;
  readonly followedExisting: boolean;
}

export interface RunWorkflowOptions {
  /** Every state entered, exited, retried or failed, in order. */
  readonly onStep?: (step: StepEvent) => void;
  /** Once the execution exists (deployed) or is about to run (local). */
  readonly onStarted?: (started: StartedExecution) => void;
  /** The clock for the execution name. @default now */
  readonly now?: Date;
}

export interface WorkflowClient {
  readonly mode: 'local' | 'deployed';
  /** Where the stack, and so the state machines, live. */
  readonly region: string;
  run(workflow: string, input: Record<string, unknown>, options?: RunWorkflowOptions): Promise<WorkflowRun>;
}

/** The stack has no state machine for this workflow (e.g. one deployed before failback existed). */
export class WorkflowMissingError extends Error {
  override readonly name = 'WorkflowMissingError';
  constructor(
    readonly workflow: string,
    readonly stateMachineName: string,
    where: string,
  ) {
    super(`this stack has no ${workflow} workflow (no state machine ${stateMachineName} ${where})`);
  }
}

export function stateMachineName(plan: Plan, workflow: string): string {
  return `pendulum-${plan.app}-${workflow}`;
}

/** `20261128T0225`: the UTC minute. */
function utcMinute(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\d{2}\.\d{3}Z$/, '');
}

/**
 * The execution name for starting `workflow` with `input` at `now`: equal for equal inputs
 * (whatever their key order) within one UTC minute, so a second start finds the first.
 */
export function executionName(workflow: string, input: unknown, now: Date = new Date()): string {
  const digest = createHash('sha256')
    .update(canonicalJson(input ?? {}))
    .digest('hex')
    .slice(0, 10);
  return `${workflow}-${utcMinute(now)}-${digest}`;
}

// ---- local ---------------------------------------------------------------------------------------

export function requireLocalEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (!endpoint)
    throw new UsageError('set AWS_ENDPOINT_URL to your local AWS; `npm run rehearse` starts one');
  return endpoint;
}

/**
 * Handler logs and metrics go to stdout in-process; keep them out of the CLI's output unless the
 * operator asked for them (`POWERTOOLS_LOG_LEVEL=INFO pendulum failover --local ...`).
 */
export function quietLocalHandlers(env: NodeJS.ProcessEnv = process.env): void {
  env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  env.POWERTOOLS_TRACE_ENABLED ??= 'false';
}

/** Runs the synthesized workflows in-process against the local AWS in `AWS_ENDPOINT_URL`. */
export function localWorkflowClient(plan: Plan): WorkflowClient {
  requireLocalEndpoint();
  quietLocalHandlers();
  return {
    mode: 'local',
    region: plan.recoveryRegion,
    async run(workflow, input, options = {}) {
      const { deployLocalStack } = await import('../local/local-stack');
      const stack = await deployLocalStack(plan);
      const name = stateMachineName(plan, workflow);
      const exists = Object.values(stack.template.Resources ?? {}).some(
        (r) => r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === name,
      );
      if (!exists) throw new WorkflowMissingError(workflow, name, 'in the synthesized stack');
      const runId = executionName(workflow, input, options.now);
      const stateMachineArn = `arn:aws:states:${stack.region}:123456789012:stateMachine:${name}`;
      const executionArn = `arn:aws:states:${stack.region}:123456789012:execution:${name}:${runId}`;
      const startedAt = new Date().toISOString();
      options.onStarted?.({ runId, executionArn, startedAt, followedExisting: false });
      const tracker = new StepTracker((step) => options.onStep?.(step));
      const result = await stack.run(workflow, input, {
        executionName: runId,
        onEvent: (event) => tracker.localEvent(event),
      });
      return {
        workflow,
        mode: 'local',
        status: result.status,
        runId,
        executionArn: result.executionArn || executionArn,
        stateMachineArn,
        ...(result.status === 'SUCCEEDED' ? { output: result.output } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
        ...(result.cause !== undefined ? { cause: result.cause } : {}),
        ...(result.status !== 'SUCCEEDED' ? { message: causeMessage(result.cause, result.error) } : {}),
        startedAt,
        stoppedAt: new Date().toISOString(),
        followedExisting: false,
      };
    },
  };
}

// ---- deployed ------------------------------------------------------------------------------------

/** What the deployed client needs of an SFN client; tests hand in a fake. */
export interface SfnApi {
  send: SFNClient['send'];
}

export interface DeployedClientOptions {
  /** @default an SFNClient in the plan's recovery region */
  readonly sfn?: SfnApi;
  /** First pause between polls; it grows ×1.5 up to `maxPollIntervalMs`. @default 500 */
  readonly pollIntervalMs?: number;
  /** @default 5000 */
  readonly maxPollIntervalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const HISTORY_PAGE = 1000;

function isAlreadyExists(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ExecutionAlreadyExists';
}

/** The ARN an execution of `stateMachineArn` named `name` has. */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** ListStateMachines, every page, until the name is found. */
export async function findStateMachine(sfn: SfnApi, name: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListStateMachinesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    const found = page.stateMachines?.find((sm) => sm.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * History events after `afterId`, oldest first. Pages are read newest first (`reverseOrder`) and
 * reading stops at the first page that reaches an event already seen, so each poll reads only
 * what is new however long the history is. (Read oldest first there would be no token to resume
 * from: the last page of a history has none.) An endpoint that ignores `reverseOrder` and answers
 * oldest first gives the same result, only reading more.
 */
async function newHistoryEvents(sfn: SfnApi, executionArn: string, afterId: number): Promise<HistoryEvent[]> {
  const fresh: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: HISTORY_PAGE,
        includeExecutionData: true,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    const events = page.events ?? [];
    fresh.push(...events.filter((e) => (e.id ?? 0) > afterId));
    if (events.some((e) => (e.id ?? 0) <= afterId)) break;
    nextToken = page.nextToken;
  } while (nextToken);
  const seen = new Set<number>();
  return fresh
    .filter((e) => {
      const id = e.id ?? 0;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
}

function parseOutput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Starts (or finds) executions of the stack's state machines in AWS and follows them. */
/** The failback state that waits out the soak time before the recovery copies are retired. */
export const SOAK_STATE = 'Soak';

export function deployedWorkflowClient(plan: Plan, options: DeployedClientOptions = {}): WorkflowClient {
  const region = plan.recoveryRegion;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let client: SfnApi | undefined = options.sfn;
  const sfn = () => {
    client ??= new SFNClient({ region });
    return client;
  };
  return {
    mode: 'deployed',
    region,
    async run(workflow, input, runOptions = {}) {
      const name = stateMachineName(plan, workflow);
      const stateMachineArn = await findStateMachine(sfn(), name);
      if (!stateMachineArn) throw new WorkflowMissingError(workflow, name, `in ${region}`);

      const runId = executionName(workflow, input, runOptions.now);
      const requestedAt = Date.now();
      let executionArn: string;
      let followedExisting = false;
      try {
        const started = await sfn().send(
          new StartExecutionCommand({ stateMachineArn, name: runId, input: canonicalJson(input) }),
        );
        executionArn = started.executionArn ?? executionArnFor(stateMachineArn, runId);
        // Step Functions answers a repeated start of a running execution with the same ARN and
        // that execution's start date.
        followedExisting =
          started.startDate !== undefined && started.startDate.getTime() < requestedAt - 2000;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        executionArn = executionArnFor(stateMachineArn, runId);
        followedExisting = true;
      }

      let described: DescribeExecutionCommandOutput = await sfn().send(
        new DescribeExecutionCommand({ executionArn }),
      );
      runOptions.onStarted?.({
        runId,
        executionArn,
        startedAt: (described.startDate ?? new Date(requestedAt)).toISOString(),
        followedExisting,
      });

      const tracker = new StepTracker((step) => runOptions.onStep?.(step));
      let lastEventId = 0;
      let executionFailure: { error?: string; cause?: string } | undefined;
      // A failback is done for the operator once production is home and the soak begins: the
      // execution then waits (a day by default) before it retires the recovery copies.
      let soaking: { output?: unknown } | undefined;
      const drainHistory = async () => {
        for (const event of await newHistoryEvents(sfn(), executionArn, lastEventId)) {
          lastEventId = Math.max(lastEventId, event.id ?? 0);
          if (event.type === 'WaitStateEntered' && event.stateEnteredEventDetails?.name === SOAK_STATE) {
            const state = parseOutput(event.stateEnteredEventDetails.input) as
              | { result?: { outcome?: unknown } }
              | undefined;
            soaking = { output: state?.result?.outcome };
          }
          if (event.type === 'ExecutionFailed') executionFailure = event.executionFailedEventDetails;
          if (event.type === 'ExecutionTimedOut') executionFailure = event.executionTimedOutEventDetails;
          if (event.type === 'ExecutionAborted') executionFailure = event.executionAbortedEventDetails;
          tracker.historyEvent(event);
        }
      };

      let pause = options.pollIntervalMs ?? 500;
      const maxPause = options.maxPollIntervalMs ?? 5000;
      for (;;) {
        await drainHistory();
        if (TERMINAL.has(described.status ?? '')) break;
        if (soaking) {
          return {
            workflow,
            mode: 'deployed',
            status: 'SUCCEEDED',
            runId,
            executionArn,
            stateMachineArn,
            output: soaking.output,
            message:
              'production is home; the execution keeps running to retire the recovery copies after the soak time',
            startedAt: (described.startDate ?? new Date(requestedAt)).toISOString(),
            stoppedAt: new Date().toISOString(),
            followedExisting,
          };
        }
        await sleep(pause);
        pause = Math.min(maxPause, Math.round(pause * 1.5));
        described = await sfn().send(new DescribeExecutionCommand({ executionArn }));
      }

      const status = described.status as RunStatus;
      const error =
        described.error ?? executionFailure?.error ?? (status === 'SUCCEEDED' ? undefined : status);
      const cause = described.cause ?? executionFailure?.cause;
      return {
        workflow,
        mode: 'deployed',
        status,
        runId,
        executionArn,
        stateMachineArn,
        ...(status === 'SUCCEEDED' ? { output: parseOutput(described.output) } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
        ...(status !== 'SUCCEEDED' ? { message: causeMessage(cause, error) } : {}),
        startedAt: (described.startDate ?? new Date(requestedAt)).toISOString(),
        stoppedAt: (described.stopDate ?? new Date()).toISOString(),
        followedExisting,
      };
    },
  };
}

export function workflowClient(plan: Plan, options: { local?: boolean }): WorkflowClient {
  return options.local ? localWorkflowClient(plan) : deployedWorkflowClient(plan);
}
