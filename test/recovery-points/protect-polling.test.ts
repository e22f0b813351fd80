import { describe, expect, it } from 'vitest';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import { copyCapSeconds, nextPollSeconds, pollWaits } from '../../lambdas/recovery-points/protection-run';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { stateMachines } from '../../local/synthesized-app';
import { samplePlan } from '../support/sample-plan';
import { estatePlan } from './estate';

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  ItemProcessor?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
}

/** Step Functions history events one pass through a state adds (Standard workflows). */
const HISTORY_EVENTS: Record<string, number> = {
  // TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded, TaskStateExited
  Task: 5,
  Wait: 2, // WaitStateEntered, WaitStateExited
  Choice: 2, // ChoiceStateEntered, ChoiceStateExited
};
/** A Standard execution's history holds at most 25,000 events. */
const HISTORY_LIMIT = 25_000;

function pollLoop(): State[] {
  const machine = stateMachines(synthesizeTemplate(samplePlan())).find(
    (m) => m.name === 'pendulum-shop-protect',
  );
  const top = machine?.definition.States as unknown as Record<string, State>;
  const states = top.Protect?.Branches?.[0]?.States.ProtectTiers?.ItemProcessor?.States ?? {};
  // From the Wait, follow the loop until it comes back (a Choice goes on by its Default).
  const loop: State[] = [];
  let name = 'WaitForCopies';
  do {
    const state: State | undefined = states[name];
    if (!state) throw new Error(`no state ${name} in the poll loop`);
    loop.push(state);
    name = state.Next ?? state.Default ?? '';
  } while (name !== 'WaitForCopies' && loop.length < 10);
  return loop;
}

describe('protect polling', () => {
  it('asks every 30 s at first, then a quarter of the time waited, never more than 5 min apart', () => {
    expect([0, 60, 120, 240, 600, 1200, 3600, 36_000].map(nextPollSeconds)).toEqual([
      30, 30, 30, 60, 150, 300, 300, 300,
    ]);
  });

  it('keeps the history of a 10-hour copy, and of a copy that runs to the longest cap, bounded', () => {
    // Prepare: the poll loop as synthesized, and what one pass through it adds to the history.
    const loop = pollLoop();
    const perPoll = loop.reduce((sum, state) => sum + (HISTORY_EVENTS[state.Type] ?? 0), 0);

    // Act
    const tenHours = pollWaits(10 * 3600).length;
    const defaultCap = pollWaits(copyCapSeconds(samplePlan())).length;
    const longestCap = pollWaits(7 * 86_400).length;

    // Assess
    expect(loop.map((s) => s.Type)).toEqual(['Wait', 'Task', 'Choice']);
    expect(perPoll).toBe(9);
    expect(tenHours).toBe(131);
    expect(tenHours * perPoll).toBeLessThan(1_200);
    expect(defaultCap * perPoll).toBeLessThan(3_000);
    expect(longestCap * perPoll).toBeLessThan(HISTORY_LIMIT - 1_000);
  });

  it('caps a run at 24 h unless the plan says otherwise, and refuses a cap outside 1 h to 7 d, with its path', () => {
    // Act
    const byDefault = parsePlanObject(estatePlan());
    const longer = parsePlanObject(estatePlan({ protection: { copyCap: '36h' } }));
    const bad = ['30m', '8d', 'soon'].map((copyCap) =>
      parsePlanObject(estatePlan({ protection: { copyCap } })),
    );

    // Assess
    expect(byDefault.ok && byDefault.plan.protection).toEqual({ retain: 2, noReboot: true, copyCap: '24h' });
    expect(longer.ok && copyCapSeconds(longer.plan)).toBe(36 * 3600);
    const problems = bad.map((result) => (result.ok ? [] : result.problems));
    expect(problems[0]).toEqual([
      expect.objectContaining({
        path: ['protection', 'copyCap'],
        message: expect.stringMatching(/at least 1h/),
      }),
    ]);
    expect(problems[1]).toEqual([
      expect.objectContaining({
        path: ['protection', 'copyCap'],
        message: expect.stringMatching(/at most 7d/),
      }),
    ]);
    expect(problems[2]).toEqual([
      expect.objectContaining({
        path: ['protection', 'copyCap'],
        message: expect.stringMatching(/duration/),
      }),
    ]);
  });
});
