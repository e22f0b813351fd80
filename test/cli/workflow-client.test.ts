/**
 * The deployed workflow client against a scripted Step Functions API: what moto cannot show
 * (paged lookups, reverse-order history pages read only as far as needed, retries and catches in
 * the history, ABORTED and TIMED_OUT) and how each end maps to an exit code.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { capturedOutput } from '../../cli/output';
import { causeMessage, type StepEvent, StepTracker } from '../../cli/step-events';
import { deployedWorkflowClient, executionName, type SfnApi } from '../../cli/workflow-client';
import { runWorkflowCommand } from '../../cli/workflow-command';
import { loadPlanFile } from '../../lib/plan-file';
import { SAMPLE_PLAN } from './run-cli';

const plan = loadPlanFile(SAMPLE_PLAN);
const MACHINE = 'arn:aws:states:us-west-2:123456789012:stateMachine:pendulum-shop-failover';
const t0 = Date.parse('2026-11-28T02:25:00Z');

type Described = { status: string; output?: string; error?: string; cause?: string };

interface Script {
  /** The history as it grows: after the n-th DescribeExecution, the first `visible[n]` events exist. */
  readonly history: HistoryEvent[];
  readonly visible: number[];
  readonly described: Described[];
  readonly start?: 'new' | 'exists';
  readonly historyPage?: number;
}

function event(id: number, type: string, details: Partial<HistoryEvent> = {}, seconds = id): HistoryEvent {
  return { id, type: type as HistoryEvent['type'], timestamp: new Date(t0 + seconds * 1000), ...details };
}

function entered(id: number, name: string, kind = 'Task', input?: unknown, seconds?: number) {
  return event(
    id,
    `${kind}StateEntered`,
    { stateEnteredEventDetails: { name, ...(input ? { input: JSON.stringify(input) } : {}) } },
    seconds,
  );
}
function exited(id: number, name: string, kind = 'Task', seconds?: number) {
  return event(id, `${kind}StateExited`, { stateExitedEventDetails: { name } }, seconds);
}

/** A fake SFN client that answers from the script and records the calls it got. */
function fakeSfn(script: Script) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  let describes = 0;
  const page = script.historyPage ?? 2;
  const api: SfnApi = {
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      calls.push({ command: name, input: command.input });
      switch (name) {
        case 'ListStateMachinesCommand':
          // Two pages: other apps first.
          return command.input.nextToken
            ? { stateMachines: [{ name: 'pendulum-shop-failover', stateMachineArn: MACHINE }] }
            : {
                stateMachines: [{ name: 'pendulum-other-failover', stateMachineArn: `${MACHINE}x` }],
                nextToken: 'p2',
              };
        case 'StartExecutionCommand':
          if (script.start === 'exists')
            throw Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
          return {
            executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:${String(command.input.name)}`,
            startDate: new Date(),
          };
        case 'DescribeExecutionCommand': {
          const d = script.described[Math.min(describes, script.described.length - 1)] as Described;
          describes++;
          return {
            ...d,
            startDate: new Date(t0),
            ...(d.status === 'RUNNING' ? {} : { stopDate: new Date(t0 + 60_000) }),
          };
        }
        case 'GetExecutionHistoryCommand': {
          const visible = script.history.slice(
            0,
            script.visible[Math.min(describes - 1, script.visible.length - 1)],
          );
          const ordered = command.input.reverseOrder ? [...visible].reverse() : visible;
          const from = Number(command.input.nextToken ?? 0);
          const events = ordered.slice(from, from + page);
          return { events, ...(from + page < ordered.length ? { nextToken: String(from + page) } : {}) };
        }
        default:
          throw new Error(`unexpected ${name}`);
      }
    }) as SfnApi['send'],
  };
  return { api, calls };
}

const noSleep = async () => {};

describe('the deployed workflow client', () => {
  it('finds the machine across pages, follows the history incrementally, and returns the output', async () => {
    const history = [
      event(1, 'ExecutionStarted'),
      entered(2, 'SnapshotDns'),
      exited(3, 'SnapshotDns', 'Task', 3.4),
      entered(4, 'RecoverTiers', 'Map'),
      entered(5, 'RecoverTier', 'Task', { run: {}, tier: { index: 0, name: 'data' } }),
      exited(6, 'RecoverTier'),
      exited(7, 'RecoverTiers', 'Map'),
      event(8, 'ExecutionSucceeded'),
    ];
    const { api, calls } = fakeSfn({
      history,
      visible: [2, 5, 8],
      described: [
        { status: 'RUNNING' },
        { status: 'RUNNING' },
        { status: 'SUCCEEDED', output: '{"rtoSeconds":61}' },
      ],
    });
    const steps: StepEvent[] = [];
    const run = await deployedWorkflowClient(plan, { sfn: api, sleep: noSleep }).run(
      'failover',
      { dryRun: false },
      { onStep: (s) => steps.push(s), now: new Date(t0) },
    );

    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      mode: 'deployed',
      runId: executionName('failover', { dryRun: false }, new Date(t0)),
      output: { rtoSeconds: 61 },
      followedExisting: false,
    });
    expect(steps.map((s) => `${s.type} ${s.state}${s.item ? ` [${s.item}]` : ''} d${s.depth}`)).toEqual([
      'entered SnapshotDns d0',
      'exited SnapshotDns d0',
      'entered RecoverTiers d0',
      'entered RecoverTier [tier data] d1',
      'exited RecoverTier [tier data] d1',
      'exited RecoverTiers d0',
    ]);
    expect(steps[1]?.durationMs).toBe(1400);
    // Pages are read newest first and only until an event already seen.
    const historyCalls = calls.filter((c) => c.command === 'GetExecutionHistoryCommand');
    expect(historyCalls.every((c) => c.input.reverseOrder === true)).toBe(true);
    expect(historyCalls).toHaveLength(5); // 1 + 2 + 2: never the whole history again
    const start = calls.find((c) => c.command === 'StartExecutionCommand');
    expect(start?.input).toMatchObject({ stateMachineArn: MACHINE, input: '{"dryRun":false}' });
  });

  it('stops following a failback once production is home and the soak begins, with the outcome', async () => {
    // Prepare: the execution keeps RUNNING through the soak (a day by default)
    const outcome = { status: 'PRIMARY_ACTIVE', activeRegion: 'us-east-1' };
    const { api, calls } = fakeSfn({
      history: [
        event(1, 'ExecutionStarted'),
        entered(2, 'RecordFailback'),
        exited(3, 'RecordFailback'),
        entered(4, 'Soak', 'Wait', { run: {}, result: { outcome } }),
      ],
      visible: [2, 4],
      described: [{ status: 'RUNNING' }],
    });
    // Act
    const run = await deployedWorkflowClient(plan, { sfn: api, sleep: noSleep }).run(
      'failover',
      {},
      { now: new Date(t0) },
    );
    // Assess
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      output: outcome,
      message: expect.stringMatching(/soak/),
    });
    expect(calls.filter((c) => c.command === 'DescribeExecutionCommand').length).toBeLessThan(5);
  });

  it('follows an execution that already exists under the same name', async () => {
    const { api } = fakeSfn({
      history: [event(1, 'ExecutionStarted'), event(2, 'ExecutionSucceeded')],
      visible: [2],
      described: [{ status: 'SUCCEEDED', output: '{}' }],
      start: 'exists',
    });
    const run = await deployedWorkflowClient(plan, { sfn: api, sleep: noSleep }).run(
      'failover',
      {},
      { now: new Date(t0) },
    );
    expect(run.followedExisting).toBe(true);
    expect(run.executionArn).toBe(
      `arn:aws:states:us-west-2:123456789012:execution:pendulum-shop-failover:${executionName('failover', {}, new Date(t0))}`,
    );
  });

  it('tells a retried failure from a caught one and a fatal one, with the Lambda message', async () => {
    const lambdaCause = (message: string) =>
      JSON.stringify({ errorType: 'X', errorMessage: message, trace: [] });
    const history = [
      event(1, 'ExecutionStarted'),
      entered(2, 'ConfirmDnsSync'),
      event(3, 'TaskScheduled'),
      event(4, 'TaskFailed', {
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'NotReadyError',
          cause: lambdaCause('PENDING'),
        },
      }),
      event(5, 'TaskScheduled'),
      event(6, 'TaskFailed', {
        taskFailedEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          error: 'HookVetoError',
          cause: lambdaCause('no go'),
        },
      }),
      entered(7, 'FailoverRejected', 'Fail'),
      event(8, 'ExecutionFailed', {
        executionFailedEventDetails: { error: 'HookVetoError', cause: lambdaCause('no go') },
      }),
    ];
    const { api } = fakeSfn({
      history,
      visible: [8],
      described: [{ status: 'FAILED', error: 'HookVetoError', cause: lambdaCause('no go') }],
      historyPage: 3,
    });
    const steps: StepEvent[] = [];
    const run = await deployedWorkflowClient(plan, { sfn: api, sleep: noSleep }).run(
      'failover',
      {},
      { onStep: (s) => steps.push(s) },
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'HookVetoError', message: 'no go' });
    expect(steps.filter((s) => s.type !== 'entered')).toEqual([
      expect.objectContaining({
        type: 'retried',
        state: 'ConfirmDnsSync',
        error: 'NotReadyError',
        message: 'PENDING',
      }),
      expect.objectContaining({
        type: 'failed',
        state: 'ConfirmDnsSync',
        error: 'HookVetoError',
        message: 'no go',
        caught: true,
      }),
      expect.objectContaining({
        type: 'failed',
        state: 'FailoverRejected',
        error: 'HookVetoError',
        caught: false,
      }),
    ]);
  });

  it.each([
    ['SUCCEEDED', 0],
    ['FAILED', 1],
    ['TIMED_OUT', 1],
    ['ABORTED', 1],
  ])('an execution that ends %s exits %i', async (status, exit) => {
    const { api } = fakeSfn({
      history: [event(1, 'ExecutionStarted')],
      visible: [1],
      described: [
        { status: 'RUNNING' },
        status === 'SUCCEEDED'
          ? { status, output: '{"rtoSeconds":5}' }
          : {
              status,
              error: status === 'FAILED' ? 'States.TaskFailed' : undefined,
              cause: status === 'FAILED' ? 'boom' : undefined,
            },
      ],
    });
    const out = capturedOutput(true);
    const code = await runWorkflowCommand(out, { workflow: 'failover', plan, input: {} }, () =>
      deployedWorkflowClient(plan, { sfn: api, sleep: noSleep }),
    );
    expect(code).toBe(exit);
    const printed = JSON.parse(out.stdout.join('\n'));
    expect(printed.status).toBe(status);
    if (status === 'SUCCEEDED') expect(printed.rtoSeconds).toBe(5);
    else expect(printed.error).toBe(status === 'FAILED' ? 'States.TaskFailed' : status);
  });

  it('says for people what failed, and why', async () => {
    const { api } = fakeSfn({
      history: [event(1, 'ExecutionStarted'), event(2, 'ExecutionAborted')],
      visible: [2],
      described: [{ status: 'ABORTED' }],
    });
    const out = capturedOutput(false);
    const code = await runWorkflowCommand(out, { workflow: 'failover', plan, input: {} }, () =>
      deployedWorkflowClient(plan, { sfn: api, sleep: noSleep }),
    );
    expect(code).toBe(1);
    expect(out.stderr.join('\n')).toMatch(
      /✗ failover ABORTED after 1m00s \(run failover-\d{8}T\d{4}-[0-9a-f]{10}\): ABORTED/,
    );
  });
});

describe('step events', () => {
  it('causeMessage shows a Lambda error message, else the cause as it is', () => {
    expect(causeMessage('{"errorType":"WrongStateError","errorMessage":"shop is FAILED_OVER"}')).toBe(
      'shop is FAILED_OVER',
    );
    expect(causeMessage('Health checks failed')).toBe('Health checks failed');
    expect(causeMessage(undefined, 'States.Timeout')).toBe('States.Timeout');
    expect(causeMessage({ errorMessage: 'as an object' })).toBe('as an object');
  });

  it('reads aws-local-stepfunctions events: a caught failure inside a Parallel is shown before the Parallel', () => {
    const steps: StepEvent[] = [];
    const tracker = new StepTracker((s) => steps.push(s));
    const state = (name: string, type: string) => ({ name, type, input: {} });
    const log = [
      { type: 'StateEntered', timestamp: 0, state: state('Failover', 'Parallel') },
      { type: 'StateEntered', timestamp: 1, state: state('CutOverDns', 'Task') },
      {
        type: 'StateFailed',
        timestamp: 2,
        state: state('CutOverDns', 'Task'),
        Error: 'Boom',
        Cause: '{"errorMessage":"no zone"}',
      },
      {
        type: 'StateFailed',
        timestamp: 3,
        state: state('Failover', 'Parallel'),
        Error: 'Boom',
        Cause: 'no zone',
      },
      { type: 'StateCaught', timestamp: 3, state: state('Failover', 'Parallel') },
      { type: 'StateExited', timestamp: 3, state: state('Failover', 'Parallel') },
      { type: 'StateEntered', timestamp: 4, state: state('FailoverFailed', 'Fail') },
      {
        type: 'StateFailed',
        timestamp: 5,
        state: state('FailoverFailed', 'Fail'),
        Error: 'Boom',
        Cause: 'no zone',
      },
      { type: 'ExecutionFailed', timestamp: 5, Error: 'Boom', Cause: 'no zone' },
    ];
    for (const e of log) tracker.localEvent(e);
    expect(
      steps.filter((s) => s.type === 'failed').map((s) => [s.state, s.error, s.message, s.caught]),
    ).toEqual([
      ['CutOverDns', 'Boom', 'no zone', true],
      ['Failover', 'Boom', undefined, true],
      ['FailoverFailed', 'Boom', 'no zone', false],
    ]);
  });
});
