/**
 * Builds a report timeline (one step per state execution) from execution events. Two sources:
 *  - aws-local-stepfunctions event logs (`StateEntered`/`StateExited`/`StateFailed`..., `timestamp` in
 *    ms, `index` on states inside a Map iteration);
 *  - Step Functions `GetExecutionHistory` events (`TaskStateEntered`/`TaskStateExited`..., `timestamp`
 *    as a Date, `MapIterationStarted` carrying the iteration index).
 * Entered and exited events are paired by state name in order; a state inside a Map iteration is keyed
 * and labelled by the iteration too (`Name (tier i)`), so each iteration gets its own bar.
 * A step exited after a failure that was not retried away was caught; a step never exited after a
 * failure failed.
 */
import type { StepKind, StepOutcome, TimelineStep } from './run-report-model';

/** The parts of an aws-local-stepfunctions `EventLog` entry this module reads. */
export interface LocalExecutionEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  /** Map iteration of a state event raised inside a Map. */
  index?: number;
  parentState?: { name: string; type: string; input?: unknown };
  Error?: string;
  Cause?: unknown;
}

interface MapIterationDetails {
  name?: string | undefined;
  index?: number | undefined;
}

/** The parts of an `@aws-sdk/client-sfn` `HistoryEvent` this module reads (a HistoryEvent fits it). */
export interface HistoryEventLike {
  type?: string | undefined;
  /** A Date from the SDK; an ISO string or ms number from a JSON copy of the history. */
  timestamp?: Date | string | number | undefined;
  id?: number | undefined;
  previousEventId?: number | undefined;
  stateEnteredEventDetails?: { name?: string | undefined; input?: string | undefined } | undefined;
  stateExitedEventDetails?: { name?: string | undefined } | undefined;
  mapIterationStartedEventDetails?: MapIterationDetails | undefined;
  mapIterationSucceededEventDetails?: MapIterationDetails | undefined;
  mapIterationFailedEventDetails?: MapIterationDetails | undefined;
  mapIterationAbortedEventDetails?: MapIterationDetails | undefined;
  evaluationFailedEventDetails?: { state?: string | undefined } | undefined;
}

export interface TimelineOptions {
  /** Tier names by Map iteration index, used when a state's input does not name its tier. */
  tierNames?: readonly string[];
  /**
   * End time for steps still running when the events were read (a report built from inside the
   * run). Defaults to the last event's time.
   */
  now?: Date | number;
}

/** Builds the timeline from either event shape, telling them apart by their event types. */
export function timelineFromEvents(
  events: readonly (LocalExecutionEvent | HistoryEventLike)[],
  options: TimelineOptions = {},
): TimelineStep[] {
  return isHistory(events)
    ? timelineFromHistory(events as readonly HistoryEventLike[], options)
    : timelineFromLocalEvents(events as readonly LocalExecutionEvent[], options);
}

function isHistory(events: readonly (LocalExecutionEvent | HistoryEventLike)[]): boolean {
  return events.some(
    (e) =>
      'stateEnteredEventDetails' in e ||
      'stateExitedEventDetails' in e ||
      (typeof e.type === 'string' && /.State(Entered|Exited)$/.test(e.type)),
  );
}

const STATE_KINDS: Record<string, StepKind> = {
  Task: 'task',
  Wait: 'wait',
  Map: 'map',
  Parallel: 'parallel',
  Choice: 'choice',
};

function kindOf(stateType: string): StepKind {
  return STATE_KINDS[stateType] ?? 'other';
}

interface OpenStep {
  key: string;
  name: string;
  stateType: string;
  kind: StepKind;
  tier?: string;
  start: number;
  /** Iteration path the step runs in (history only): `''` outside any Map. */
  context: string;
  failedAt?: number;
  caught: boolean;
  slot: number;
}

/** Open and finished steps, in the order they were entered. */
class StepTracker {
  private readonly open: OpenStep[] = [];
  private readonly slots: (TimelineStep | undefined)[] = [];
  private lastTime: number | undefined;
  private executionEnd: number | undefined;
  private executionFailed = false;

  seen(time: number | undefined): void {
    if (time !== undefined && (this.lastTime === undefined || time > this.lastTime)) this.lastTime = time;
  }

  enter(step: Omit<OpenStep, 'caught' | 'slot'>): void {
    // The same state entered again while an earlier run of it failed and was never caught: the
    // earlier one is over (its branch or iteration died), so a later exit must not pair with it.
    for (const stale of this.open.filter(
      (s) => s.key === step.key && s.failedAt !== undefined && !s.caught,
    )) {
      this.close(stale, stale.failedAt ?? stale.start, 'failed');
    }
    this.open.push({ ...step, caught: false, slot: this.slots.length });
    this.slots.push(undefined);
  }

  /** The oldest open step with this key: pairing in order. */
  find(key: string): OpenStep | undefined {
    return this.open.find((s) => s.key === key);
  }

  /** The newest open step matching `test`, preferring one in the given iteration context. */
  newest(test: (s: OpenStep) => boolean, context?: string): OpenStep | undefined {
    const matching = this.open.filter(test);
    const inContext = context === undefined ? [] : matching.filter((s) => s.context === context);
    return (inContext.length > 0 ? inContext : matching).at(-1);
  }

  exit(step: OpenStep, time: number): void {
    const outcome: StepOutcome = step.caught || step.failedAt !== undefined ? 'caught' : 'succeeded';
    this.close(step, time, outcome);
  }

  endExecution(time: number | undefined, failed: boolean): void {
    this.executionEnd = time;
    this.executionFailed = failed;
  }

  finish(now: number | undefined): TimelineStep[] {
    const end = this.executionEnd ?? now ?? this.lastTime;
    for (const step of [...this.open]) {
      if (step.failedAt !== undefined) this.close(step, step.failedAt, 'failed');
      else if (step.stateType === 'Fail') this.close(step, end ?? step.start, 'failed');
      else this.close(step, end ?? step.start, this.executionFailed ? 'failed' : 'succeeded');
    }
    return this.slots.filter((s): s is TimelineStep => s !== undefined);
  }

  private close(step: OpenStep, time: number, outcome: StepOutcome): void {
    this.open.splice(this.open.indexOf(step), 1);
    this.slots[step.slot] = {
      name: step.name,
      kind: step.kind,
      ...(step.tier === undefined ? {} : { tier: step.tier }),
      startedAt: iso(step.start),
      endedAt: iso(Math.max(time, step.start)),
      outcome,
    };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function label(name: string, index: number | undefined): string {
  return index === undefined ? name : `${name} (tier ${index})`;
}

/** The tier a state works on, read from its input: `{ tier: { name } }` or `{ tier: "name" }`. */
function tierFromInput(input: unknown): string | undefined {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || !('tier' in value)) return undefined;
  const tier: unknown = value.tier;
  if (typeof tier === 'string') return tier;
  if (typeof tier === 'object' && tier !== null && 'name' in tier && typeof tier.name === 'string') {
    return tier.name;
  }
  return undefined;
}

function tierOf(input: unknown, index: number | undefined, options: TimelineOptions): string | undefined {
  if (index === undefined) return undefined;
  return tierFromInput(input) ?? options.tierNames?.[index];
}

function toMs(value: Date | number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

// ---------------------------------------------------------------------------------------------
// aws-local-stepfunctions

/** Builds the timeline from an aws-local-stepfunctions event log, in the order it was dispatched. */
export function timelineFromLocalEvents(
  events: readonly LocalExecutionEvent[],
  options: TimelineOptions = {},
): TimelineStep[] {
  const tracker = new StepTracker();
  for (const event of events) {
    const time = toMs(event.timestamp);
    tracker.seen(time);
    if (time === undefined) continue;
    switch (event.type) {
      case 'ExecutionSucceeded':
        tracker.endExecution(time, false);
        continue;
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        tracker.endExecution(time, true);
        continue;
    }
    const state = event.state;
    if (!state) continue;
    const key = `${state.name}#${event.index ?? ''}`;
    if (event.type === 'StateEntered') {
      tracker.enter({
        key,
        name: label(state.name, event.index),
        stateType: state.type,
        kind: kindOf(state.type),
        tier: tierOf(state.input, event.index, options),
        start: time,
        context: '',
      });
      continue;
    }
    const step = tracker.find(key);
    if (!step) continue;
    switch (event.type) {
      case 'StateFailed':
        step.failedAt = time;
        break;
      case 'StateRetried':
        step.failedAt = undefined;
        break;
      case 'StateCaught':
        step.caught = true;
        break;
      case 'StateExited':
        tracker.exit(step, time);
        break;
    }
  }
  return tracker.finish(toMs(options.now));
}

// ---------------------------------------------------------------------------------------------
// Step Functions GetExecutionHistory

const TASK_FAILURES = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'TaskStateAborted',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
  'ActivityFailed',
  'ActivityTimedOut',
  'ActivityScheduleFailed',
]);
const TASK_PROGRESS = new Set([
  'TaskScheduled',
  'TaskStarted',
  'TaskSubmitted',
  'TaskSucceeded',
  'LambdaFunctionScheduled',
  'LambdaFunctionStarted',
  'LambdaFunctionSucceeded',
  'ActivityScheduled',
  'ActivityStarted',
  'ActivitySucceeded',
]);
const OTHER_FAILURES: Record<string, StepKind> = {
  MapStateFailed: 'map',
  MapStateAborted: 'map',
  ParallelStateFailed: 'parallel',
  ParallelStateAborted: 'parallel',
  WaitStateAborted: 'wait',
};
const OTHER_PROGRESS: Record<string, StepKind> = {
  MapStateStarted: 'map',
  MapStateSucceeded: 'map',
  ParallelStateStarted: 'parallel',
  ParallelStateSucceeded: 'parallel',
};
const ITERATION_ENDS = new Set(['MapIterationSucceeded', 'MapIterationFailed', 'MapIterationAborted']);

/**
 * Builds the timeline from `GetExecutionHistory` events (either order; sorted by id when every event
 * has one). The Map iteration an event belongs to is followed along `previousEventId` (or the event
 * before it when that is missing), so concurrent iterations are told apart.
 */
export function timelineFromHistory(
  events: readonly HistoryEventLike[],
  options: TimelineOptions = {},
): TimelineStep[] {
  const ordered = events.every((e) => typeof e.id === 'number')
    ? [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0))
    : [...events];
  // Iteration indices (outermost first) in force after each event, by event id and by position.
  const afterById = new Map<number, readonly number[]>();
  let afterPrevious: readonly number[] = [];
  const tracker = new StepTracker();

  for (const event of ordered) {
    const type = event.type ?? '';
    const byId = event.previousEventId === undefined ? undefined : afterById.get(event.previousEventId);
    const iterations = byId ?? afterPrevious;
    let after = iterations;
    if (type === 'MapIterationStarted') {
      const index = event.mapIterationStartedEventDetails?.index;
      if (index !== undefined) after = [...iterations, index];
    } else if (ITERATION_ENDS.has(type)) {
      after = iterations.slice(0, -1);
    }
    if (event.id !== undefined) afterById.set(event.id, after);
    afterPrevious = after;

    const time = toMs(event.timestamp);
    tracker.seen(time);
    if (time === undefined) continue;
    const index = iterations.at(-1);
    const context = iterations.join('/');

    const entered = /^(\w+)StateEntered$/.exec(type);
    if (entered?.[1] !== undefined) {
      const name = event.stateEnteredEventDetails?.name;
      if (name === undefined) continue;
      tracker.enter({
        key: `${name}#${context}`,
        name: label(name, index),
        stateType: entered[1],
        kind: kindOf(entered[1]),
        tier: tierOf(event.stateEnteredEventDetails?.input, index, options),
        start: time,
        context,
      });
      continue;
    }
    if (/^\w+StateExited$/.test(type)) {
      const name = event.stateExitedEventDetails?.name;
      if (name === undefined) continue;
      const step = tracker.find(`${name}#${context}`) ?? tracker.newest((s) => s.key.startsWith(`${name}#`));
      if (step) tracker.exit(step, time);
      continue;
    }
    if (type === 'ExecutionSucceeded') {
      tracker.endExecution(time, false);
      continue;
    }
    if (type === 'ExecutionFailed' || type === 'ExecutionAborted' || type === 'ExecutionTimedOut') {
      tracker.endExecution(time, true);
      continue;
    }
    if (type === 'EvaluationFailed') {
      const name = event.evaluationFailedEventDetails?.state;
      const step = name === undefined ? undefined : tracker.newest((s) => s.key === `${name}#${context}`);
      if (step) step.failedAt = time;
      continue;
    }
    const failedKind = TASK_FAILURES.has(type) ? 'task' : OTHER_FAILURES[type];
    if (failedKind !== undefined) {
      const step = tracker.newest((s) => s.kind === failedKind, context);
      if (step) step.failedAt = time;
      continue;
    }
    const progressKind = TASK_PROGRESS.has(type) ? 'task' : OTHER_PROGRESS[type];
    if (progressKind !== undefined) {
      // A task scheduled again after a failure is being retried: the failure no longer stands.
      const step = tracker.newest((s) => s.kind === progressKind, context);
      if (step) step.failedAt = undefined;
    }
  }
  return tracker.finish(toMs(options.now));
}
