import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import '../../local/promise-with-resolvers';
import {
  type HistoryEventLike,
  type LocalExecutionEvent,
  timelineFromEvents,
  timelineFromHistory,
  timelineFromLocalEvents,
} from '../../lambdas/reports/timeline-from-events';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** A local event for a state, `seconds` after T0. */
function local(
  type: string,
  seconds: number,
  name: string,
  stateType: string,
  extra: Partial<LocalExecutionEvent> = {},
): LocalExecutionEvent {
  return { type, timestamp: T0 + seconds * 1000, state: { name, type: stateType, input: {} }, ...extra };
}

describe('timelineFromLocalEvents', () => {
  it('pairs entered and exited states, one step per Map iteration, with tier names from the input', () => {
    // Prepare
    const tierInput = (index: number, name: string) => ({
      run: {},
      tier: { index, name, timeoutSeconds: 60 },
    });
    const events: LocalExecutionEvent[] = [
      { type: 'ExecutionStarted', timestamp: T0 },
      local('StateEntered', 0, 'TakeLock', 'Task'),
      local('StateExited', 1, 'TakeLock', 'Task'),
      local('StateEntered', 1, 'RecoverTiers', 'Map'),
      { type: 'MapIterationStarted', timestamp: T0 + 1000, index: 0 },
      local('StateEntered', 1, 'RecoverTier', 'Task', {
        index: 0,
        state: { name: 'RecoverTier', type: 'Task', input: tierInput(0, 'db') },
      }),
      local('StateExited', 5, 'RecoverTier', 'Task', { index: 0 }),
      local('StateEntered', 5, 'WaitForTier', 'Wait', { index: 0 }),
      local('StateExited', 20, 'WaitForTier', 'Wait', { index: 0 }),
      { type: 'MapIterationSucceeded', timestamp: T0 + 20_000, index: 0 },
      { type: 'MapIterationStarted', timestamp: T0 + 20_000, index: 1 },
      local('StateEntered', 20, 'RecoverTier', 'Task', {
        index: 1,
        state: { name: 'RecoverTier', type: 'Task', input: tierInput(1, 'web') },
      }),
      local('StateExited', 30, 'RecoverTier', 'Task', { index: 1 }),
      { type: 'MapIterationSucceeded', timestamp: T0 + 30_000, index: 1 },
      local('StateExited', 30, 'RecoverTiers', 'Map'),
      local('StateEntered', 30, 'Healthy?', 'Choice'),
      local('StateExited', 30, 'Healthy?', 'Choice'),
      { type: 'ExecutionSucceeded', timestamp: T0 + 31_000 },
    ];

    // Act
    const timeline = timelineFromLocalEvents(events);

    // Assess
    expect(timeline).toEqual([
      { name: 'TakeLock', kind: 'task', startedAt: at(0), endedAt: at(1), outcome: 'succeeded' },
      { name: 'RecoverTiers', kind: 'map', startedAt: at(1), endedAt: at(30), outcome: 'succeeded' },
      {
        name: 'RecoverTier (tier 0)',
        kind: 'task',
        tier: 'db',
        startedAt: at(1),
        endedAt: at(5),
        outcome: 'succeeded',
      },
      { name: 'WaitForTier (tier 0)', kind: 'wait', startedAt: at(5), endedAt: at(20), outcome: 'succeeded' },
      {
        name: 'RecoverTier (tier 1)',
        kind: 'task',
        tier: 'web',
        startedAt: at(20),
        endedAt: at(30),
        outcome: 'succeeded',
      },
      { name: 'Healthy?', kind: 'choice', startedAt: at(30), endedAt: at(30), outcome: 'succeeded' },
    ]);
  });

  it('tells retried, caught and failed states apart', () => {
    // Prepare
    const events: LocalExecutionEvent[] = [
      local('StateEntered', 0, 'Flaky', 'Task'),
      local('StateFailed', 1, 'Flaky', 'Task', { Error: 'Boom', Cause: 'x' }),
      local('StateRetried', 2, 'Flaky', 'Task'),
      local('StateExited', 3, 'Flaky', 'Task'),
      local('StateEntered', 3, 'Guarded', 'Parallel'),
      local('StateEntered', 3, 'Inner', 'Task'),
      local('StateFailed', 4, 'Inner', 'Task', { Error: 'Boom', Cause: 'x' }),
      local('StateFailed', 4, 'Guarded', 'Parallel', { Error: 'Boom', Cause: 'x' }),
      local('StateCaught', 4, 'Guarded', 'Parallel'),
      local('StateExited', 4, 'Guarded', 'Parallel'),
      local('StateEntered', 5, 'Broken', 'Task'),
      local('StateFailed', 6, 'Broken', 'Task', { Error: 'Boom', Cause: 'x' }),
      { type: 'ExecutionFailed', timestamp: T0 + 6000, Error: 'Boom', Cause: 'x' },
    ];

    // Act
    const timeline = timelineFromLocalEvents(events);

    // Assess
    expect(timeline.map((s) => [s.name, s.outcome, s.endedAt])).toEqual([
      ['Flaky', 'succeeded', at(3)],
      ['Guarded', 'caught', at(4)],
      ['Inner', 'failed', at(4)],
      ['Broken', 'failed', at(6)],
    ]);
  });

  it('ends steps still running at `now`, and a Fail state as failed', () => {
    // Prepare
    const events: LocalExecutionEvent[] = [
      local('StateEntered', 0, 'Failover', 'Parallel'),
      local('StateEntered', 1, 'RecordReport', 'Task'),
    ];

    // Act
    const running = timelineFromLocalEvents(events, { now: T0 + 9000 });
    const failed = timelineFromLocalEvents([
      local('StateEntered', 0, 'Give up', 'Fail'),
      local('StateFailed', 0, 'Give up', 'Fail', { Error: 'Nope', Cause: 'x' }),
      { type: 'ExecutionFailed', timestamp: T0 },
    ]);

    // Assess
    expect(running.map((s) => [s.name, s.endedAt, s.outcome])).toEqual([
      ['Failover', at(9), 'succeeded'],
      ['RecordReport', at(9), 'succeeded'],
    ]);
    expect(failed).toEqual([
      { name: 'Give up', kind: 'other', startedAt: at(0), endedAt: at(0), outcome: 'failed' },
    ]);
  });

  it('reads the event log of a real aws-local-stepfunctions run', async () => {
    // Prepare
    const machine = new StateMachine({
      StartAt: 'Tiers',
      States: {
        Tiers: {
          Type: 'Map',
          ItemsPath: '$.tiers',
          ItemSelector: { 'tier.$': '$$.Map.Item.Value' },
          MaxConcurrency: 1,
          ItemProcessor: {
            StartAt: 'Recover',
            States: {
              Recover: {
                Type: 'Task',
                Resource: 'arn:aws:lambda:us-east-1:123456789012:function:recover',
                End: true,
              },
            },
          },
          ResultPath: null,
          Next: 'Guard',
        },
        Guard: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Explode',
              States: {
                Explode: {
                  Type: 'Task',
                  Resource: 'arn:aws:lambda:us-east-1:123456789012:function:explode',
                  Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 1 }],
                  End: true,
                },
              },
            },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    const execution = machine.run(
      {
        tiers: [
          { index: 0, name: 'db' },
          { index: 1, name: 'web' },
        ],
      },
      {
        overrides: {
          taskResourceLocalHandlers: {
            Recover: (input) => input,
            Explode: () => {
              throw new Error('boom');
            },
          },
          retryIntervalOverrides: { Explode: 0 },
        },
      },
    );
    await execution.result;
    const events: LocalExecutionEvent[] = [];
    for await (const event of execution.eventLogs) events.push(event);

    // Act
    const timeline = timelineFromEvents(events);

    // Assess
    expect(timeline.map((s) => [s.name, s.kind, s.tier, s.outcome])).toEqual([
      ['Tiers', 'map', undefined, 'succeeded'],
      ['Recover (tier 0)', 'task', 'db', 'succeeded'],
      ['Recover (tier 1)', 'task', 'web', 'succeeded'],
      ['Guard', 'parallel', undefined, 'caught'],
      ['Explode', 'task', undefined, 'failed'],
      ['Done', 'other', undefined, 'succeeded'],
    ]);
    for (const step of timeline)
      expect(Date.parse(step.endedAt)).toBeGreaterThanOrEqual(Date.parse(step.startedAt));
  });
});

/** History events numbered in order, each pointing at the one before unless `previousEventId` is given. */
function history(events: Omit<HistoryEventLike, 'id'>[]): HistoryEventLike[] {
  return events.map((e, i) => ({ id: i + 1, previousEventId: i, ...e }));
}
const ts = (seconds: number) => new Date(T0 + seconds * 1000);
const entered = (type: string, seconds: number, name: string, input?: unknown) => ({
  type: `${type}StateEntered`,
  timestamp: ts(seconds),
  stateEnteredEventDetails: { name, ...(input === undefined ? {} : { input: JSON.stringify(input) }) },
});
const exited = (type: string, seconds: number, name: string) => ({
  type: `${type}StateExited`,
  timestamp: ts(seconds),
  stateExitedEventDetails: { name },
});

describe('timelineFromHistory', () => {
  it('pairs GetExecutionHistory events, labelling Map iterations by index', () => {
    // Prepare
    const events: HistoryEvent[] = history([
      { type: 'ExecutionStarted', timestamp: ts(0) },
      entered('Task', 0, 'TakeLock'),
      { type: 'LambdaFunctionScheduled', timestamp: ts(0) },
      { type: 'LambdaFunctionSucceeded', timestamp: ts(1) },
      exited('Task', 1, 'TakeLock'),
      entered('Map', 1, 'RecoverTiers'),
      { type: 'MapStateStarted', timestamp: ts(1) },
      {
        type: 'MapIterationStarted',
        timestamp: ts(1),
        mapIterationStartedEventDetails: { name: 'RecoverTiers', index: 0 },
      },
      entered('Task', 1, 'RecoverTier', { tier: { index: 0, name: 'db' } }),
      exited('Task', 4, 'RecoverTier'),
      {
        type: 'MapIterationSucceeded',
        timestamp: ts(4),
        mapIterationSucceededEventDetails: { name: 'RecoverTiers', index: 0 },
      },
      {
        type: 'MapIterationStarted',
        timestamp: ts(4),
        mapIterationStartedEventDetails: { name: 'RecoverTiers', index: 1 },
      },
      entered('Task', 4, 'RecoverTier'),
      exited('Task', 9, 'RecoverTier'),
      {
        type: 'MapIterationSucceeded',
        timestamp: ts(9),
        mapIterationSucceededEventDetails: { name: 'RecoverTiers', index: 1 },
      },
      { type: 'MapStateSucceeded', timestamp: ts(9) },
      exited('Map', 9, 'RecoverTiers'),
      entered('Choice', 9, 'Healthy?'),
      exited('Choice', 9, 'Healthy?'),
      { type: 'ExecutionSucceeded', timestamp: ts(10) },
    ]) as HistoryEvent[];

    // Act
    const timeline = timelineFromHistory(events, { tierNames: ['db', 'web'] });

    // Assess
    expect(timeline).toEqual([
      { name: 'TakeLock', kind: 'task', startedAt: at(0), endedAt: at(1), outcome: 'succeeded' },
      { name: 'RecoverTiers', kind: 'map', startedAt: at(1), endedAt: at(9), outcome: 'succeeded' },
      {
        name: 'RecoverTier (tier 0)',
        kind: 'task',
        tier: 'db',
        startedAt: at(1),
        endedAt: at(4),
        outcome: 'succeeded',
      },
      {
        name: 'RecoverTier (tier 1)',
        kind: 'task',
        tier: 'web',
        startedAt: at(4),
        endedAt: at(9),
        outcome: 'succeeded',
      },
      { name: 'Healthy?', kind: 'choice', startedAt: at(9), endedAt: at(9), outcome: 'succeeded' },
    ]);
  });

  it('follows previousEventId through concurrent iterations, and reads newest-first histories', () => {
    // Prepare: two iterations interleaved; each event points at the one before it in its iteration.
    const events: HistoryEventLike[] = [
      { id: 1, type: 'MapStateEntered', timestamp: ts(0), stateEnteredEventDetails: { name: 'Tiers' } },
      { id: 2, previousEventId: 1, type: 'MapStateStarted', timestamp: ts(0) },
      {
        id: 3,
        previousEventId: 2,
        type: 'MapIterationStarted',
        timestamp: ts(0),
        mapIterationStartedEventDetails: { index: 0 },
      },
      {
        id: 4,
        previousEventId: 2,
        type: 'MapIterationStarted',
        timestamp: ts(0),
        mapIterationStartedEventDetails: { index: 1 },
      },
      { id: 5, previousEventId: 3, ...entered('Task', 0, 'Recover') },
      { id: 6, previousEventId: 4, ...entered('Task', 1, 'Recover') },
      { id: 7, previousEventId: 6, ...exited('Task', 2, 'Recover') },
      { id: 8, previousEventId: 5, type: 'TaskFailed', timestamp: ts(3) },
      {
        id: 9,
        previousEventId: 7,
        type: 'MapIterationSucceeded',
        timestamp: ts(2),
        mapIterationSucceededEventDetails: { index: 1 },
      },
      {
        id: 10,
        previousEventId: 8,
        type: 'MapIterationFailed',
        timestamp: ts(3),
        mapIterationFailedEventDetails: { index: 0 },
      },
      { id: 11, previousEventId: 10, type: 'MapStateFailed', timestamp: ts(3) },
      { id: 12, previousEventId: 11, type: 'ExecutionFailed', timestamp: ts(3) },
    ].reverse();

    // Act
    const timeline = timelineFromEvents(events);

    // Assess
    expect(timeline.map((s) => [s.name, s.startedAt, s.endedAt, s.outcome])).toEqual([
      ['Tiers', at(0), at(3), 'failed'],
      ['Recover (tier 0)', at(0), at(3), 'failed'],
      ['Recover (tier 1)', at(1), at(2), 'succeeded'],
    ]);
  });

  it('counts a retried task as succeeded and a task exited after its failure as caught', () => {
    // Prepare
    const events = history([
      entered('Task', 0, 'ConfirmDnsSync'),
      { type: 'TaskScheduled', timestamp: ts(0) },
      { type: 'TaskFailed', timestamp: ts(1) },
      { type: 'TaskScheduled', timestamp: ts(11) },
      { type: 'TaskSucceeded', timestamp: ts(12) },
      exited('Task', 12, 'ConfirmDnsSync'),
      entered('Task', 12, 'TakeLock'),
      { type: 'LambdaFunctionScheduled', timestamp: ts(12) },
      { type: 'LambdaFunctionFailed', timestamp: ts(13) },
      exited('Task', 13, 'TakeLock'),
      entered('Fail', 13, 'Rejected'),
      { type: 'ExecutionFailed', timestamp: ts(14) },
    ]).map((e) => ({ ...e, timestamp: (e.timestamp as Date).toISOString() }));

    // Act
    const timeline = timelineFromEvents(events);

    // Assess
    expect(timeline.map((s) => [s.name, s.kind, s.endedAt, s.outcome])).toEqual([
      ['ConfirmDnsSync', 'task', at(12), 'succeeded'],
      ['TakeLock', 'task', at(13), 'caught'],
      ['Rejected', 'other', at(14), 'failed'],
    ]);
  });
});
