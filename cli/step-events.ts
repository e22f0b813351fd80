/**
 * One vocabulary for "what the workflow is doing now", whether the execution runs in-process
 * (aws-local-stepfunctions events) or in AWS (Step Functions execution history). Both are fed
 * through a StepTracker, which pairs entries with exits, times each state, and tells a failure
 * that is retried from one that is caught or ends the execution.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export interface StepEvent {
  /**
   * `entered`: a state started; `exited`: it finished; `failed`: it failed and that failure
   * stands (caught or fatal); `retried`: it failed and is being tried again.
   */
  readonly type: 'entered' | 'exited' | 'failed' | 'retried';
  readonly state: string;
  /** Task, Map, Parallel, Choice, Pass, Wait, Succeed or Fail, when known. */
  readonly stateType?: string;
  /** How many Map or Parallel states this one runs inside. */
  readonly depth: number;
  /** What this run of the state works on, when its input says: the tier of a Map iteration. */
  readonly item?: string;
  /** For `exited` and `failed`: time since the state was entered. */
  readonly durationMs?: number;
  readonly error?: string;
  /** What went wrong, for people: a Lambda error's message rather than its JSON. */
  readonly message?: string;
  /** For `retried`: the attempt about to start (2 is the first retry). */
  readonly attempt?: number;
  /** For `failed`: the failure was caught and the workflow went on. */
  readonly caught?: boolean;
}

/**
 * Lambda failures carry `{"errorType","errorMessage",...}` as their cause; people want the message.
 * Anything else (a Fail state's own text) is shown as it is.
 */
export function causeMessage(cause: unknown, error?: string): string | undefined {
  if (cause === undefined || cause === null || cause === '') return error;
  if (typeof cause === 'string') {
    try {
      const parsed = JSON.parse(cause) as unknown;
      if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) {
        const message = (parsed as { errorMessage?: unknown }).errorMessage;
        if (typeof message === 'string' && message !== '') return message;
      }
    } catch {
      // not JSON: a plain cause
    }
    return cause;
  }
  if (typeof cause === 'object' && 'errorMessage' in cause) {
    return String((cause as { errorMessage: unknown }).errorMessage);
  }
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

interface OpenState {
  readonly name: string;
  readonly type?: string;
  readonly enteredAt: number;
  readonly depth: number;
  readonly item?: string;
  failure?: { error: string; cause: unknown; at: number };
}

const CONTAINERS = new Set(['Map', 'Parallel']);

/** The tier a state works on, from its input: `{ tier: "data" }` or `{ tier: { name: "data" } }`. */
function itemOf(input: unknown): string | undefined {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const tier = (value as { tier?: unknown } | null)?.tier;
  if (typeof tier === 'string') return `tier ${tier}`;
  const name = (tier as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? `tier ${name}` : undefined;
}
/** History marks a failed Map or Parallel without saying why; the branch said it. */
const BRANCH_FAILED = 'States.BranchFailed';

export class StepTracker {
  private readonly open: OpenState[] = [];

  constructor(private readonly emit: (step: StepEvent) => void) {}

  private depth(): number {
    return this.open.filter((s) => s.type !== undefined && CONTAINERS.has(s.type)).length;
  }

  private find(name: string): OpenState | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) if (this.open[i]?.name === name) return this.open[i];
    return undefined;
  }

  private remove(state: OpenState): void {
    const index = this.open.lastIndexOf(state);
    if (index >= 0) this.open.splice(index, 1);
  }

  /**
   * Emits the standing failure of a state that failed and was not retried, and closes it. States
   * opened inside it (a Map's or Parallel's branches) are settled first: their failure came first.
   */
  private settleFailure(state: OpenState, caught: boolean): void {
    const index = this.open.lastIndexOf(state);
    if (index < 0) return;
    let innerError: string | undefined;
    for (const inner of this.open.slice(index + 1).reverse()) {
      if (inner.failure) {
        innerError ??= inner.failure.error;
        this.settleFailure(inner, caught);
      } else this.remove(inner);
    }
    const failure = state.failure ?? {
      error: innerError ?? 'States.Failed',
      cause: undefined,
      at: Date.now(),
    };
    const error = failure.error === BRANCH_FAILED ? (innerError ?? 'States.BranchFailed') : failure.error;
    this.remove(state);
    this.emit({
      type: 'failed',
      state: state.name,
      stateType: state.type,
      depth: state.depth,
      ...(state.item ? { item: state.item } : {}),
      durationMs: Math.max(0, failure.at - state.enteredAt),
      error,
      // A container's message is its branch's, already shown on the line above.
      message: CONTAINERS.has(state.type ?? '') ? undefined : causeMessage(failure.cause, error),
      caught,
    });
  }

  /** States that failed and were neither retried nor exited: something caught the failure. */
  private settleCaught(): void {
    const failedState = this.open.find((s) => s.failure);
    if (failedState) this.settleFailure(failedState, true);
    if (this.open.some((s) => s.failure)) this.settleCaught();
  }

  entered(name: string, type: string | undefined, at: number, input?: unknown): void {
    this.settleCaught();
    const item = itemOf(input);
    const state: OpenState = { name, type, enteredAt: at, depth: this.depth(), ...(item ? { item } : {}) };
    this.open.push(state);
    this.emit({
      type: 'entered',
      state: name,
      stateType: type,
      depth: state.depth,
      ...(item ? { item } : {}),
    });
  }

  exited(name: string, at: number): void {
    const state = this.find(name);
    if (!state) return;
    if (state.failure) {
      // Locally a caught failure still exits the state; it failed all the same.
      this.settleFailure(state, true);
      return;
    }
    this.remove(state);
    this.emit({
      type: 'exited',
      state: name,
      stateType: state.type,
      depth: state.depth,
      ...(state.item ? { item: state.item } : {}),
      durationMs: Math.max(0, at - state.enteredAt),
    });
  }

  /** A state failed; whether it is retried, caught or fatal is only known from what follows. */
  failed(name: string | undefined, error: string, cause: unknown, at: number): void {
    const state = name === undefined ? this.innermostTask() : this.find(name);
    if (!state) return;
    state.failure = { error, cause, at };
  }

  retried(name: string | undefined, attempt?: number): void {
    const state = name === undefined ? this.innermostFailed() : this.find(name);
    if (!state?.failure) return;
    const { error, cause } = state.failure;
    state.failure = undefined;
    this.emit({
      type: 'retried',
      state: state.name,
      stateType: state.type,
      depth: state.depth,
      ...(state.item ? { item: state.item } : {}),
      error,
      message: causeMessage(cause, error),
      attempt,
    });
  }

  caught(name: string): void {
    const state = this.find(name);
    if (state) this.settleFailure(state, true);
  }

  /** The execution ended: failures still standing were fatal; a Fail state shows the execution's error. */
  executionEnded(at: number, failure?: { error?: string; cause?: unknown }): void {
    while (this.open.length > 0) {
      const failedState = this.open.find((s) => s.failure);
      if (failedState) {
        this.settleFailure(failedState, false);
        continue;
      }
      const state = this.open.pop() as OpenState;
      if (failure && !CONTAINERS.has(state.type ?? '')) {
        this.emit({
          type: 'failed',
          state: state.name,
          stateType: state.type,
          depth: state.depth,
          ...(state.item ? { item: state.item } : {}),
          durationMs: Math.max(0, at - state.enteredAt),
          error: failure.error ?? 'States.Failed',
          message: causeMessage(failure.cause, failure.error),
          caught: false,
        });
      }
    }
  }

  private innermostTask(): OpenState | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const state = this.open[i];
      if (state && !CONTAINERS.has(state.type ?? '')) return state;
    }
    return this.open.at(-1);
  }

  private innermostFailed(): OpenState | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) if (this.open[i]?.failure) return this.open[i];
    return undefined;
  }

  // ---- feeding the tracker -------------------------------------------------------------------

  /** An aws-local-stepfunctions event (see `RunWorkflowOptions.onEvent`). */
  localEvent(event: unknown): void {
    const e = event as {
      type: string;
      timestamp: number;
      state?: { name: string; type?: string; input?: unknown };
      Error?: string;
      Cause?: unknown;
      retry?: { attempt?: number };
    };
    switch (e.type) {
      case 'StateEntered':
        if (e.state) this.entered(e.state.name, e.state.type, e.timestamp, e.state.input);
        break;
      case 'StateExited':
        if (e.state) this.exited(e.state.name, e.timestamp);
        break;
      case 'StateFailed':
        if (e.state) this.failed(e.state.name, e.Error ?? 'Error', e.Cause, e.timestamp);
        break;
      case 'StateRetried':
        // The library counts retries from 1; the attempt about to run is one more.
        if (e.state)
          this.retried(e.state.name, e.retry?.attempt === undefined ? undefined : e.retry.attempt + 1);
        break;
      case 'StateCaught':
        if (e.state) this.caught(e.state.name);
        break;
      case 'ExecutionFailed':
        this.executionEnded(e.timestamp, { error: e.Error, cause: e.Cause });
        break;
      case 'ExecutionSucceeded':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        this.executionEnded(e.timestamp, e.type === 'ExecutionSucceeded' ? undefined : { error: e.type });
        break;
      default:
        break;
    }
  }

  /** One Step Functions history event (GetExecutionHistory), in order. */
  historyEvent(event: HistoryEvent): void {
    const type = event.type ?? '';
    const at = event.timestamp ? new Date(event.timestamp).getTime() : Date.now();
    const entered = /^(\w+)StateEntered$/.exec(type);
    if (entered && event.stateEnteredEventDetails?.name) {
      this.entered(event.stateEnteredEventDetails.name, entered[1], at, event.stateEnteredEventDetails.input);
      return;
    }
    if (/StateExited$/.test(type) && event.stateExitedEventDetails?.name) {
      this.exited(event.stateExitedEventDetails.name, at);
      return;
    }
    const failure =
      event.taskFailedEventDetails ??
      event.lambdaFunctionFailedEventDetails ??
      event.taskTimedOutEventDetails ??
      event.lambdaFunctionTimedOutEventDetails ??
      event.activityFailedEventDetails ??
      event.activityTimedOutEventDetails;
    if (failure) {
      this.failed(undefined, failure.error ?? type, failure.cause, at);
      return;
    }
    if (type === 'TaskScheduled' || type === 'LambdaFunctionScheduled' || type === 'ActivityScheduled') {
      const state = this.innermostTask();
      if (state?.failure) this.retried(state.name);
      return;
    }
    if (type === 'MapStateFailed' || type === 'ParallelStateFailed') {
      for (let i = this.open.length - 1; i >= 0; i--) {
        const state = this.open[i];
        if (state?.type === type.replace('StateFailed', '')) {
          // The branch's own failure was already shown; the container just stops.
          state.failure = { error: BRANCH_FAILED, cause: undefined, at };
          break;
        }
      }
      return;
    }
    if (type === 'ExecutionFailed') {
      this.executionEnded(at, {
        error: event.executionFailedEventDetails?.error,
        cause: event.executionFailedEventDetails?.cause,
      });
      return;
    }
    if (type === 'ExecutionTimedOut') {
      this.executionEnded(at, { error: event.executionTimedOutEventDetails?.error ?? 'States.Timeout' });
      return;
    }
    if (type === 'ExecutionAborted') {
      this.executionEnded(at, { error: event.executionAbortedEventDetails?.error ?? 'Aborted' });
      return;
    }
    if (type === 'ExecutionSucceeded') this.executionEnded(at);
  }
}
