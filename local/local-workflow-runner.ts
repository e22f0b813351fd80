/**
 * Runs one state machine of a synthesized template locally with aws-local-stepfunctions, executing its
 * Lambda tasks in-process by importing our handler modules. Whatever AWS the handlers talk to is decided by
 * the environment (set `AWS_ENDPOINT_URL` with `useLocalAws` to use moto); the runner knows nothing about
 * Pendulum's plan.
 *
 * Emulated faithfully, because the workflows depend on it:
 * - `arn:aws:states:::lambda:invoke` tasks get `{ Payload, StatusCode: 200, ExecutedVersion: '$LATEST' }`;
 *   direct Lambda ARN tasks get the bare result. Payloads and results go through JSON like on AWS.
 * - A handler that throws becomes a task failure whose error name is the thrown value's `name` (the Lambda
 *   Node.js runtime reports `error.name` as `errorType`; a subclass that does not set `name` is just "Error",
 *   locally too) and whose cause is the JSON `{"errorType","errorMessage","trace"}` Step Functions shows.
 * - The function's environment variables are merged over `process.env` (so AWS_ENDPOINT_URL and credentials
 *   stay) before its module is imported and before every invocation; `process.env` is restored afterwards.
 * - A Task state without `TimeoutSeconds` has Step Functions' default of 99999999 s (aws-local-stepfunctions
 *   would give it 60 s); an execution timeout longer than a Node timer can hold is kept by the runner.
 * - When a Map iteration fails, the Map starts no further iterations (aws-local-stepfunctions would go on
 *   starting the queued ones, so a later tier would launch after an earlier one failed).
 *
 * Two kinds of AWS (`aws`): `instant`, moto as it is, with every Wait and retry interval shortened; and
 * `realistic` (see `realistic-aws/`), where the execution runs on a virtual clock: Wait states, retry
 * intervals, Lambda timeouts, invocation overheads and AWS's own durations all take virtual time, so
 * `startedAt`/`durationMs` and the event timestamps are the modeled time of the run on AWS.
 */
import './promise-with-resolvers';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import aslValidator from 'asl-validator';
import type { Context as LambdaContext } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { LOCAL_ACCOUNT_ID } from './aws-environment';
import { type LocalIam, localIamFor } from './iam/local-iam';
import { installMotoGapAdapters } from './moto-gaps';
import {
  duringTask,
  installRealisticAws,
  type LocalAwsMode,
  lambdaInvocationDelay,
  localAwsMode,
} from './realistic-aws/realistic-aws';
import type { CfnTemplate } from './resolve-intrinsics';
import { DEFAULT_REGION } from './resolve-intrinsics';
import {
  type AslDefinition,
  lambdaFunctions,
  type SynthLambdaFunction,
  type SynthStateMachine,
  stateMachines,
  type TemplateResolveOptions,
} from './synthesized-app';
import { virtualClock } from './virtual-clock';

type RunExecution = ReturnType<StateMachine['run']>;
/** One entry of aws-local-stepfunctions' event log (the type is not exported by the package). */
export type WorkflowEvent = RunExecution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
export type JsonValue = Parameters<StateMachine['run']>[0];

export interface TaskCall {
  stateName: string;
  /** The task's effective input (after InputPath/Parameters), e.g. `{ FunctionName, Payload }`. */
  input: unknown;
  /** The Lambda function the task invokes, when it invokes one of ours. */
  function?: SynthLambdaFunction;
  /** Run the real handler with this payload (only for tasks that invoke one of our Lambda functions). */
  invokeOriginal?: (payload: unknown) => Promise<unknown>;
}

/**
 * Replaces one Task state. For Lambda tasks it receives the Lambda payload and returns the function result
 * (wrapped like the real task; thrown errors become Lambda errors); for other tasks it receives the task
 * input and returns the task result.
 */
export type TaskOverride = (payload: unknown, call: TaskCall) => unknown;

export interface RunWorkflowOptions {
  /** The CloudFormation template (JSON object) of the stack holding the state machine. */
  template: CfnTemplate;
  /** Logical id, or (a case-insensitive substring of) the state machine's name or logical id. */
  stateMachine: string;
  input?: unknown;
  /** Every Wait state waits this many ms instead (default 0). */
  shortenWaitsTo?: number;
  /** Every retrier waits this many ms between attempts instead (default 1). */
  retryIntervalMs?: number;
  onEvent?: (event: WorkflowEvent) => void;
  /** Replace Task states by name (fault injection). */
  taskOverrides?: Record<string, TaskOverride>;
  /** Region, stack name, physical ids and parameters for intrinsic resolution. */
  resolve?: TemplateResolveOptions;
  /** Execution name in the context object (`$$.Execution.Name`); default a random UUID. */
  executionName?: string;
  /** Extra context object fields, merged over the generated `$$.Execution` / `$$.StateMachine`. */
  context?: RunOptions['context'];
  /** Fail a Lambda task with `Sandbox.Timedout` when the handler outlives the function's Timeout (default off). */
  enforceLambdaTimeouts?: boolean;
  /** Aborting it aborts the execution (status ABORTED). */
  signal?: AbortSignal;
  /**
   * `enforce` (the default): every AWS call a task makes is authorized against its role's policies
   * as synthesized, and the state machine's role must allow invoking each function; `off` only when
   * a test says so explicitly.
   */
  iam?: 'enforce' | 'off';
  /** `realistic`: a virtual clock and AWS's durations, rates and faults; default: the process's mode. */
  aws?: LocalAwsMode;
}

export interface TaskInvocation {
  stateName: string;
  resource: string;
  /** Logical id of the invoked Lambda function, for Lambda tasks. */
  functionLogicalId?: string;
  /** The Lambda payload for Lambda tasks, else the task input. */
  input: unknown;
  output?: unknown;
  error?: { name: string; message: string };
  overridden: boolean;
  startedAt: number;
  durationMs: number;
}

export type WorkflowStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface WorkflowRunResult {
  status: WorkflowStatus;
  output?: unknown;
  /** Error name, when FAILED. */
  error?: string;
  /** Error cause, when FAILED (for Lambda errors the JSON text Step Functions shows). */
  cause?: string;
  events: WorkflowEvent[];
  taskInvocations: TaskInvocation[];
  /** The largest state input/output, Lambda payload or result seen, in UTF-8 bytes (Step Functions caps 256 KiB). */
  largestPayloadBytes: number;
  stateMachine: { logicalId: string; name: string; arn: string };
  executionArn: string;
}

/** Step Functions' Task timeout when a state names none (Amazon States Language, Task state). */
const STEP_FUNCTIONS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;
/** The longest delay a Node timer holds (~24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A timeout of any length, in steps a Node timer can hold. */
function longTimer(ms: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const deadline = Date.now() + ms;
  const arm = () => {
    const left = deadline - Date.now();
    if (left <= 0) return fire();
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Map iterations of one Map state run on one iterator machine: once an iteration fails, that
 * machine starts no more (Step Functions stops a Map at its first failed iteration).
 */
const failedIterators = new WeakSet<object>();
const originalRun = StateMachine.prototype.run;
StateMachine.prototype.run = function (this: StateMachine, ...args: Parameters<StateMachine['run']>) {
  if (failedIterators.has(this)) {
    return {
      abort: () => {},
      eventLogs: (async function* () {})(),
      result: Promise.reject(new ExecutionAbortedError()),
    } as unknown as ReturnType<StateMachine['run']>;
  }
  const execution = originalRun.apply(this, args);
  execution.result.then(undefined, (error: unknown) => {
    if (!(error instanceof ExecutionAbortedError)) failedIterators.add(this);
  });
  return execution;
};

const LAMBDA_INVOKE = /^arn:[\w-]+:states:::lambda:invoke$/;
const LAMBDA_INVOKE_CALLBACK = /^arn:[\w-]+:states:::lambda:invoke\.waitForTaskToken$/;
const LAMBDA_ARN = /^arn:[\w-]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;

/** A task failure that Retry/Catch match by `name`, like a Lambda error in Step Functions. */
class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** A harness problem: must fail the execution, never be swallowed by a States.ALL catcher or retried. */
class HarnessError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(message: string) {
    super(message);
    this.name = 'Local.HarnessError';
  }
}

interface TaskStateInfo {
  name: string;
  resource: string;
  parameters: unknown;
}

interface DefinitionWalk {
  tasks: TaskStateInfo[];
  waits: string[];
  retryable: string[];
  jsonata: string[];
}

function walkDefinition(
  definition: { States?: Record<string, Record<string, unknown>> },
  walk: DefinitionWalk,
) {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.QueryLanguage === 'JSONata') walk.jsonata.push(name);
    if (state.Type === 'Task' && state.TimeoutSecondsPath === undefined) {
      // A Node timer cannot hold Step Functions' default; ~24.8 days is as good as forever here.
      const seconds = Number(state.TimeoutSeconds ?? STEP_FUNCTIONS_DEFAULT_TASK_TIMEOUT_SECONDS);
      state.TimeoutSeconds = Math.min(seconds, Math.floor(MAX_TIMER_MS / 1000));
    }
    if (state.Type === 'Task') {
      walk.tasks.push({ name, resource: String(state.Resource), parameters: state.Parameters });
    }
    if (state.Type === 'Wait') walk.waits.push(name);
    if (Array.isArray(state.Retry) && state.Retry.length > 0) walk.retryable.push(name);
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      for (const branch of state.Branches)
        walkDefinition(branch as { States?: Record<string, Record<string, unknown>> }, walk);
    }
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as
        | { States?: Record<string, Record<string, unknown>> }
        | undefined;
      if (processor) walkDefinition(processor, walk);
    }
  }
}

function selectStateMachine(all: SynthStateMachine[], wanted: string): SynthStateMachine {
  const available = () => all.map((sm) => `${sm.logicalId} (${sm.name})`).join(', ') || 'none';
  const exact = all.filter((sm) => sm.logicalId === wanted || sm.name === wanted);
  if (exact.length === 1) return exact[0] as SynthStateMachine;
  const needle = wanted.toLowerCase();
  const partial = all.filter(
    (sm) => sm.name.toLowerCase().includes(needle) || sm.logicalId.toLowerCase().includes(needle),
  );
  if (partial.length === 1) return partial[0] as SynthStateMachine;
  if (partial.length === 0)
    throw new Error(`no state machine matches "${wanted}"; available: ${available()}`);
  throw new Error(
    `"${wanted}" matches several state machines: ${partial.map((sm) => sm.logicalId).join(', ')}; be more specific`,
  );
}

function functionIndex(functions: SynthLambdaFunction[]) {
  return (functionName: string): SynthLambdaFunction | undefined => {
    const arnMatch = LAMBDA_ARN.exec(functionName);
    let name = arnMatch ? (arnMatch[1] as string) : functionName;
    // Partial ARN `123456789012:function:name[:qualifier]`, or `name:qualifier`.
    const partial = /(?:^|:)function:([^:]+)/.exec(name);
    if (partial) name = partial[1] as string;
    else if (name.includes(':')) name = name.split(':')[0] as string;
    return functions.find(
      (fn) => fn.functionName === name || fn.logicalId === name || fn.arn === functionName,
    );
  };
}

function byteLength(value: unknown): number {
  if (value === undefined) return 0;
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

function viaJson(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/** The Lambda Node.js runtime's view of a thrown value (errorType is `error.name`). */
function lambdaErrorPayload(thrown: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  const e = thrown as { name?: unknown; message?: unknown; stack?: unknown } | null;
  if (thrown instanceof Error || (e && typeof e.name === 'string' && typeof e.message === 'string')) {
    return {
      errorType: String(e?.name),
      errorMessage: String(e?.message),
      trace: typeof e?.stack === 'string' ? e.stack.split('\n') : [],
    };
  }
  return { errorType: typeof thrown, errorMessage: String(thrown), trace: [] };
}

function lambdaContext(fn: SynthLambdaFunction, started: number): LambdaContext {
  const deadline = started + fn.timeoutSeconds * 1000;
  const requestId = randomUUID();
  const unsupported = () => {
    throw new Error('context.done/fail/succeed are not supported locally; return or throw instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${new Date(started).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

type Handler = (
  event: unknown,
  context: LambdaContext,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

async function callHandler(handler: Handler, payload: unknown, context: LambdaContext): Promise<unknown> {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const maybe = handler(payload, context, (error, result) => (error ? reject(error) : resolve(result)));
      if (maybe && typeof (maybe as Promise<unknown>).then === 'function')
        (maybe as Promise<unknown>).then(resolve, reject);
    });
  }
  return handler(payload, context);
}

function restoreEnv(snapshot: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in snapshot)) delete process.env[key];
  for (const [key, value] of Object.entries(snapshot)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
}

function validateAsl(sm: SynthStateMachine): void {
  // asl-validator mutates what it checks: give it a copy.
  const result = aslValidator(structuredClone(sm.definition), { checkPaths: true, checkArn: true });
  if (!result.isValid) {
    throw new Error(
      `state machine ${sm.logicalId} (${sm.name}) has an invalid definition:\n${result.errorsText('\n')}`,
    );
  }
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const resolveOptions = options.resolve ?? {};
  const region = resolveOptions.region ?? DEFAULT_REGION;
  const accountId = resolveOptions.accountId ?? LOCAL_ACCOUNT_ID;
  const sm = selectStateMachine(stateMachines(options.template, resolveOptions), options.stateMachine);
  validateAsl(sm);
  const definition: AslDefinition = structuredClone(sm.definition);

  const walk: DefinitionWalk = { tasks: [], waits: [], retryable: [], jsonata: [] };
  if (definition.QueryLanguage === 'JSONata') walk.jsonata.push('(top level)');
  walkDefinition(definition, walk);
  if (walk.jsonata.length > 0) {
    throw new Error(
      `state machine ${sm.logicalId} uses JSONata (${walk.jsonata.join(', ')}), which aws-local-stepfunctions does not run`,
    );
  }

  const functions = lambdaFunctions(options.template, resolveOptions);
  const findFunction = functionIndex(functions);
  const overrides = options.taskOverrides ?? {};
  for (const name of Object.keys(overrides)) {
    if (!walk.tasks.some((task) => task.name === name)) {
      throw new Error(
        `taskOverrides.${name}: no Task state of that name in ${sm.name} (tasks: ${walk.tasks.map((t) => t.name).join(', ')})`,
      );
    }
  }

  installMotoGapAdapters();
  installRealisticAws();
  const realistic = (options.aws ?? localAwsMode()) === 'realistic';
  const enforceLambdaTimeouts = options.enforceLambdaTimeouts ?? realistic;
  const iam: LocalIam | undefined =
    (options.iam ?? 'enforce') === 'enforce' ? localIamFor(options.template, resolveOptions) : undefined;

  const envSnapshot = { ...process.env };
  const modules = new Map<string, Promise<Handler>>();
  const warmFunctions = new Set<string>();
  const loadHandler = (fn: SynthLambdaFunction): Promise<Handler> => {
    let loaded = modules.get(fn.logicalId);
    if (!loaded) {
      loaded = (async () => {
        Object.assign(process.env, fn.environment);
        let module: { handler?: unknown };
        try {
          module = (await import(pathToFileURL(fn.handlerPath).href)) as { handler?: unknown };
        } catch (error) {
          throw new Error(
            `cannot import handler module ${fn.handlerModule} of Lambda function ${fn.logicalId}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        if (typeof module.handler !== 'function') {
          throw new Error(
            `handler module ${fn.handlerModule} (function ${fn.logicalId}) exports no \`handler\` function`,
          );
        }
        return module.handler as Handler;
      })();
      modules.set(fn.logicalId, loaded);
    }
    return loaded;
  };

  const taskInvocations: TaskInvocation[] = [];
  let largestPayloadBytes = byteLength(options.input ?? {});
  const notePayload = (value: unknown) => {
    largestPayloadBytes = Math.max(largestPayloadBytes, byteLength(value));
  };

  /** Runs our handler for one invocation as Lambda would; resolves to the result or throws a TaskFailure. */
  const invokeFunction = async (
    fn: SynthLambdaFunction,
    payload: unknown,
    override?: TaskOverride,
    call?: TaskCall,
  ) => {
    const started = Date.now();
    Object.assign(process.env, fn.environment);
    const event = viaJson(payload);
    let run: Promise<unknown>;
    if (override && call) {
      run = Promise.resolve().then(() => override(event, call));
    } else {
      const handler = await loadHandler(fn);
      Object.assign(process.env, fn.environment);
      const coldStart = !warmFunctions.has(fn.logicalId);
      warmFunctions.add(fn.logicalId);
      const invoke = () => callHandler(handler, event, lambdaContext(fn, started));
      run = duringTask(async () => {
        await lambdaInvocationDelay(coldStart);
        return iam ? iam.runAs(fn, invoke) : invoke();
      });
    }
    if (enforceLambdaTimeouts) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = virtualClock().detached(() =>
          setTimeout(
            () =>
              reject(
                Object.assign(new Error(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`), {
                  name: 'Sandbox.Timedout',
                }),
              ),
            fn.timeoutSeconds * 1000,
          ),
        );
      });
      run = Promise.race([run, timeout]).finally(() => clearTimeout(timer));
    }
    try {
      return viaJson(await run);
    } catch (thrown) {
      if (thrown instanceof TaskFailure) throw thrown;
      if (iam?.isHarnessFault(thrown)) throw new HarnessError((thrown as Error).message);
      const payloadOut = lambdaErrorPayload(thrown);
      throw new TaskFailure(payloadOut.errorType, JSON.stringify(payloadOut));
    }
  };

  const taskResourceLocalHandlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const task of walk.tasks) {
    const override = overrides[task.name];
    const isInvoke = LAMBDA_INVOKE.test(task.resource);
    const directArn = LAMBDA_ARN.test(task.resource);
    let staticFunction: SynthLambdaFunction | undefined;
    if (isInvoke || directArn) {
      const params = task.parameters as Record<string, unknown> | undefined;
      const target = isInvoke ? params?.FunctionName : task.resource;
      if (typeof target === 'string') {
        staticFunction = findFunction(target);
        if (!staticFunction && !override) {
          throw new Error(
            `Task ${task.name} invokes ${target}, which is not a Lambda function with "pendulum:handler" metadata in the template ` +
              `(known: ${functions.map((fn) => fn.logicalId).join(', ') || 'none'}); supply taskOverrides.${task.name}`,
          );
        }
        // Import eagerly so that a broken handler module fails before the execution starts.
        if (staticFunction && !override) await loadHandler(staticFunction);
      }
    }

    taskResourceLocalHandlers[task.name] = (input: JsonValue): Promise<JsonValue> =>
      virtualClock().activity(() => runTask(input));
    const runTask = async (input: JsonValue): Promise<JsonValue> => {
      const started = Date.now();
      const record: TaskInvocation = {
        stateName: task.name,
        resource: task.resource,
        input,
        overridden: Boolean(override),
        startedAt: started,
        durationMs: 0,
      };
      taskInvocations.push(record);
      try {
        if (isInvoke || directArn) {
          const inputObject = (input ?? {}) as Record<string, unknown>;
          const target = isInvoke ? inputObject.FunctionName : task.resource;
          const fn = staticFunction ?? (typeof target === 'string' ? findFunction(target) : undefined);
          if (!fn && !override)
            throw new HarnessError(`Task ${task.name}: no local Lambda function for ${String(target)}`);
          const payload = isInvoke ? (inputObject.Payload ?? {}) : input;
          record.functionLogicalId = fn?.logicalId;
          record.input = payload;
          notePayload(payload);
          const invokeDenied = fn && iam ? await iam.stateMachineMayNotInvoke(sm.logicalId, fn) : undefined;
          if (invokeDenied) throw new TaskFailure('Lambda.AWSLambdaException', invokeDenied);
          const call: TaskCall = {
            stateName: task.name,
            input,
            ...(fn ? { function: fn, invokeOriginal: (p: unknown) => invokeFunction(fn, p) } : {}),
          };
          const result = fn
            ? await invokeFunction(fn, payload, override, call)
            : await (async () => {
                try {
                  return viaJson(await (override as TaskOverride)(viaJson(payload), call));
                } catch (thrown) {
                  const errorPayload = lambdaErrorPayload(thrown);
                  throw new TaskFailure(errorPayload.errorType, JSON.stringify(errorPayload));
                }
              })();
          record.output = result;
          notePayload(result);
          return (
            isInvoke ? { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 } : result
          ) as JsonValue;
        }
        if (override) {
          const result = viaJson(await override(input, { stateName: task.name, input }));
          record.output = result;
          return result as JsonValue;
        }
        if (LAMBDA_INVOKE_CALLBACK.test(task.resource)) {
          throw new HarnessError(
            `Task ${task.name} uses ${task.resource} (callback pattern), which the local runner does not emulate; supply taskOverrides.${task.name}`,
          );
        }
        throw new HarnessError(
          `Task ${task.name} uses ${task.resource}, which the local runner does not emulate (only Lambda tasks run locally); supply taskOverrides.${task.name}`,
        );
      } catch (error) {
        record.error = { name: (error as Error).name, message: (error as Error).message };
        throw error;
      } finally {
        record.durationMs = Date.now() - started;
      }
    };
  }

  // Realistic runs wait as AWS waits, in virtual time; instant runs shorten every wait.
  const shorten = (names: string[], ms: number | undefined, instantMs: number) =>
    ms === undefined && realistic ? {} : Object.fromEntries(names.map((name) => [name, ms ?? instantMs]));
  const waitTimeOverrides = shorten(walk.waits, options.shortenWaitsTo, 0);
  const retryIntervalOverrides = shorten(walk.retryable, options.retryIntervalMs, 1);

  // Node timers hold at most 2^31-1 ms (~24.8 days); a longer execution timeout (failback's soak
  // can take weeks) would fire at once, so the runner keeps it itself.
  const timeoutSeconds = (definition as { TimeoutSeconds?: number }).TimeoutSeconds;
  const longTimeoutMs =
    timeoutSeconds !== undefined && timeoutSeconds * 1000 > MAX_TIMER_MS ? timeoutSeconds * 1000 : undefined;
  if (longTimeoutMs !== undefined) delete (definition as { TimeoutSeconds?: number }).TimeoutSeconds;

  let machine: StateMachine;
  try {
    machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  } catch (error) {
    restoreEnv(envSnapshot);
    throw new Error(
      `aws-local-stepfunctions rejected ${sm.logicalId} (${sm.name}): ${(error as Error).message}`,
    );
  }

  const executionName = options.executionName ?? randomUUID();
  const executionArn = `arn:aws:states:${region}:${accountId}:execution:${sm.name}:${executionName}`;
  const userContext = options.context ?? {};
  const context: RunOptions['context'] = {
    ...userContext,
    Execution: {
      Id: executionArn,
      Name: executionName,
      RoleArn: `arn:aws:iam::${accountId}:role/${sm.name}-role`,
      RedriveCount: 0,
      ...(userContext.Execution ?? {}),
    },
    StateMachine: { Id: sm.arn, Name: sm.name, ...((userContext.StateMachine as object | undefined) ?? {}) },
  };

  const events: WorkflowEvent[] = [];
  let status = 'ABORTED' as WorkflowStatus;
  let output: unknown;
  let error: string | undefined;
  let cause: string | undefined;
  const execute = async () => {
    const execution = machine.run((options.input ?? {}) as JsonValue, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
      context,
    });
    let timedOut = false;
    const stopTimeout =
      longTimeoutMs === undefined
        ? () => {}
        : longTimer(longTimeoutMs, () => {
            timedOut = true;
            execution.abort();
          });
    const onAbort = () => execution.abort();
    if (options.signal?.aborted) execution.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const collecting = (async () => {
      for await (const event of execution.eventLogs) {
        events.push(event);
        const e = event as {
          input?: unknown;
          output?: unknown;
          state?: { input?: unknown; output?: unknown };
        };
        notePayload(e.input);
        notePayload(e.output);
        notePayload(e.state?.input);
        notePayload(e.state?.output);
        options.onEvent?.(event);
      }
    })();
    try {
      output = await execution.result;
      status = 'SUCCEEDED';
    } catch (thrown) {
      if (thrown instanceof ExecutionError) {
        const inner = thrown.cause as { name?: string; message?: string } | undefined;
        if (inner instanceof HarnessError) throw new Error(inner.message);
        status = 'FAILED';
        error = inner?.name ?? 'Error';
        cause = inner?.message;
      } else if (thrown instanceof ExecutionAbortedError) {
        status = timedOut ? 'TIMED_OUT' : 'ABORTED';
        if (timedOut) error = 'States.Timeout';
      } else if (thrown instanceof ExecutionTimeoutError) {
        status = 'TIMED_OUT';
        error = 'States.Timeout';
      } else {
        throw thrown;
      }
    } finally {
      stopTimeout();
      options.signal?.removeEventListener('abort', onAbort);
      await collecting;
    }
  };
  try {
    if (realistic) await virtualClock().run(execute);
    else await execute();
  } finally {
    restoreEnv(envSnapshot);
  }

  return {
    status,
    ...(status === 'SUCCEEDED' ? { output } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(cause !== undefined ? { cause } : {}),
    events,
    taskInvocations,
    largestPayloadBytes,
    stateMachine: { logicalId: sm.logicalId, name: sm.name, arn: sm.arn },
    executionArn,
  };
}
