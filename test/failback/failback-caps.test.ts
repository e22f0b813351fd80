import { describe, expect, it } from 'vitest';
import { assertWithinCap, nextPollSeconds } from '../../lambdas/failback/failback-caps';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { samplePlan } from '../support/sample-plan';

const t0 = new Date('2025-03-01T00:00:00Z');
const hoursLater = (h: number) => new Date(t0.getTime() + h * 3_600_000);

describe('failback caps', () => {
  it('polls every 30 s at first and at most every 5 min, so a 48 h wait stays far inside the history limit', () => {
    // Act
    const polls = [0, 60, 600, 3000, 86_400].map(nextPollSeconds);
    let waited = 0;
    let count = 0;
    while (waited < 48 * 3600) {
      waited += nextPollSeconds(waited);
      count++;
    }

    // Assess: about 5 history events per poll against Step Functions' 25,000
    expect(polls).toEqual([30, 30, 60, 300, 300]);
    expect(count * 5).toBeLessThan(5_000);
  });

  it('is within the cap while waiting, and past it fails naming the cap and what is pending', () => {
    // Prepare
    const wait = {
      what: 'the new primary in us-east-1',
      capName: 'failback.syncCap',
      capSeconds: 48 * 3600,
      startedAt: t0.toISOString(),
      pending: Array.from({ length: 12 }, (_, i) => `i-${i} (copying)`),
    };

    // Act + Assess
    expect(assertWithinCap({ ...wait, now: hoursLater(47) })).toBe(47 * 3600);
    expect(assertWithinCap({ ...wait, now: hoursLater(100), pending: [] })).toBe(100 * 3600);
    expect(() => assertWithinCap({ ...wait, now: hoursLater(49) })).toThrow(
      expect.objectContaining({
        name: 'ReadyTimeoutError',
        message:
          'the new primary in us-east-1 is not done after 176400s (failback.syncCap 172800s); still pending: i-0 (copying), i-1 (copying), i-2 (copying), i-3 (copying), i-4 (copying), i-5 (copying), i-6 (copying), i-7 (copying), i-8 (copying), i-9 (copying) and 2 more',
      }),
    );
  });

  it('defaults to generous caps of their own, not an RTO', () => {
    expect(samplePlan().failback).toMatchObject({ syncCap: '48h', retireCap: '12h' });
  });

  it('refuses caps too short or too long for an execution, with the path of each', () => {
    // Prepare
    const plan = structuredClone(samplePlan()) as PlanInput;
    plan.failback = { ...plan.failback, syncCap: '5m', retireCap: '4d' };

    // Act
    const result = parsePlanObject(plan);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: ['failback', 'syncCap'],
          message: 'expected a duration from 10m to 7d',
        }),
        expect.objectContaining({
          path: ['failback', 'retireCap'],
          message: 'expected a duration from 10m to 3d',
        }),
      ]),
    );
  });

  it('accepts any soak (beyond a week it is scheduled) and refuses only staged holds the execution cannot wait out', () => {
    // Prepare
    const withFailback = (change: Partial<PlanInput['failback'] & object>) => {
      const plan = structuredClone(samplePlan()) as PlanInput;
      plan.failback = { ...plan.failback, ...change };
      return parsePlanObject(plan);
    };

    // Act
    const soaks = ['7d', '30d', '400d'].map((soak) => withFailback({ soak }));
    const longHolds = withFailback({ soak: '7d', syncCap: '7d', retireCap: '3d', stepHold: '4d' });

    // Assess: 7d + 3 × 4d + 2 × 3d + 7d + 1d = 33d overruns the 30-day execution; a 400-day soak is scheduled
    expect(soaks.map((r) => r.ok)).toEqual([true, true, true]);
    expect(longHolds.ok).toBe(false);
    if (longHolds.ok) return;
    expect(longHolds.problems).toEqual([
      expect.objectContaining({
        path: ['failback', 'stepHold'],
        message: expect.stringMatching(
          /^expected shorter staged holds: .*could run 33d, past its execution's 30d/,
        ),
      }),
    ]);
  });
});
