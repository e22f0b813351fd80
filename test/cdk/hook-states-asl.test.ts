/**
 * The hook states as synthesized: the hook function's timeout is the one the plan's hook budget is
 * derived from, HookFailedError retries compose with it, and after DNS moved a failing post hook state
 * goes on to the record unless a post hook must pass.
 */
import { describe, expect, it } from 'vitest';
import { HOOK_FUNCTION_TIMEOUT_SECONDS } from '../../lambdas/hooks/hook-budget';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { lambdaFunctions, stateMachines } from '../../local/synthesized-app';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

type State = Record<string, unknown> & { Type: string; Next?: string };
type Definition = { States: Record<string, State> };

const GATE = 'arn:aws:lambda:us-west-2:123456789012:function:smoke-test';

function synth(plan: Plan) {
  const template = synthesizeTemplate(plan);
  const machines = stateMachines(template, { region: 'us-west-2' });
  const definition = (name: string) => {
    const machine = machines.find((m) => m.name === `pendulum-shop-${name}`);
    if (!machine) throw new Error(`no ${name} state machine`);
    return machine.definition as unknown as Definition;
  };
  return { template, definition };
}

/** Every state of a definition, those inside Parallel branches included. */
function allStates(definition: Definition): Record<string, State> {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] = state;
    for (const branch of (state.Branches as Definition[] | undefined) ?? [])
      Object.assign(states, allStates(branch));
  }
  return states;
}

describe('hook states (ASL)', () => {
  const sample = synth(samplePlan());

  it('gives each hook state the function timeout and two HookFailedError retries, each a fresh full budget', () => {
    // Prepare
    const { template, definition } = sample;

    // Act
    const failover = allStates(definition('failover'));
    const failback = allStates(definition('failback'));
    const hookFunctions = lambdaFunctions(template, { region: 'us-west-2' }).filter(
      (fn) => fn.handlerModule === 'lambdas/handlers/run-hooks.ts',
    );

    // Assess
    expect(hookFunctions.map((fn) => fn.timeoutSeconds)).toEqual([
      HOOK_FUNCTION_TIMEOUT_SECONDS,
      HOOK_FUNCTION_TIMEOUT_SECONDS,
    ]);
    for (const [name, state] of [
      ['PreFailoverHooks', failover.PreFailoverHooks],
      ['PostFailoverHooks', failover.PostFailoverHooks],
      ['PreFailbackHooks', failback.PreFailbackHooks],
      ['PostFailbackHooks', failback.PostFailbackHooks],
    ] as const) {
      expect(state?.TimeoutSeconds, name).toBe(HOOK_FUNCTION_TIMEOUT_SECONDS);
      expect(state?.Retry, name).toContainEqual({
        ErrorEquals: ['HookFailedError'],
        IntervalSeconds: 5,
        MaxAttempts: 2,
        BackoffRate: 2,
      });
    }
  });

  it('sends a failing post hook state on to the record, with its error where the results would be', () => {
    // Prepare, Act
    const { definition } = sample;
    const failover = allStates(definition('failover'));
    const failback = allStates(definition('failback'));

    // Assess
    expect(failover.PostFailoverHooks?.Catch).toEqual([
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.hookResults.postFailover',
        Next: 'PostFailoverHooksUnfinished',
      },
    ]);
    expect(failover.PostFailoverHooks?.Next).toBe('RecordFailover');
    expect(failover.PostFailoverHooksUnfinished).toMatchObject({ Type: 'Pass', Next: 'RecordFailover' });
    expect(failover.RecordFailover?.Parameters).toMatchObject({ 'hookResults.$': '$.hookResults' });
    expect(failback.PostFailbackHooks?.Catch).toEqual([
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.hookResults.postFailback',
        Next: 'PostFailbackHooksUnfinished',
      },
    ]);
    expect(failback.PostFailbackHooksUnfinished).toMatchObject({ Type: 'Pass', Next: 'RecordFailback' });
    expect(failback.RecordFailback?.Parameters).toMatchObject({ 'hookResults.$': '$.hookResults' });
  });

  it('lets a post hook that must pass fail the run: no catch on its state', () => {
    // Prepare
    const plan = samplePlanWith((p) => {
      p.hooks = { postFailover: [{ lambda: { functionArn: GATE, mustPass: true } }] };
    });

    // Act
    const failover = allStates(synth(plan).definition('failover'));

    // Assess
    expect(failover.PostFailoverHooks?.Catch).toBeUndefined();
    expect(failover.PostFailoverHooksUnfinished).toBeUndefined();
    expect(failover.PostFailoverHooks?.Next).toBe('RecordFailover');
  });

  it('refuses to synthesize hooks that do not fit the hook function timeout, however the plan was made', () => {
    // Prepare: past the parser, ten 30 s lambda hooks in one phase
    const plan = samplePlan();
    plan.hooks.preFailback = Array.from({ length: 10 }, () => ({ lambda: { functionArn: GATE } }));

    // Act, Assess
    expect(() => synthesizeTemplate(plan)).toThrow(
      /hooks\.preFailback: expected the phase's hooks to finish within 4m30s/,
    );
  });
});
