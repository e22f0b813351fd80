import { describe, expect, it } from 'vitest';
import { longestFailbackSeconds } from '../../lambdas/failback/failback-caps';
import type { FailbackRun } from '../../lambdas/failback/failback-run';
import {
  atExpression,
  checkRetirementDue,
  retirementIsScheduled,
  retirementScheduleName,
  retirementSchedulePrefix,
  retirementTime,
  timeOfAtExpression,
} from '../../lambdas/failback/scheduled-retirement';
import type { AppRecord } from '../../lambdas/state/state-table';

const run = { app: 'shop', failbackId: 'fb-1', targetRegion: 'us-east-1' } as FailbackRun;
const home: AppRecord = {
  app: 'shop',
  status: 'PRIMARY_ACTIVE',
  activeRegion: 'us-east-1',
  failbackId: 'fb-1',
  runId: 'fb-1',
  updatedAt: '2025-03-01T00:00:00Z',
};

describe('the scheduled retirement', () => {
  it('is used for soaks beyond a week, which then take no room in the failback execution', () => {
    // Act + Assess
    expect([7 * 86_400, 7 * 86_400 + 1].map(retirementIsScheduled)).toEqual([false, true]);
    const caps = { syncCapSeconds: 7 * 86_400, retireCapSeconds: 3 * 86_400, stagedHoldSeconds: 0 };
    expect(longestFailbackSeconds({ ...caps, soakSeconds: 7 * 86_400 })).toBe(21 * 86_400);
    expect(longestFailbackSeconds({ ...caps, soakSeconds: 365 * 86_400 })).toBe(11 * 86_400);
  });

  it('has one schedule name per failback episode, within Scheduler’s 64 characters, under the app’s prefix', () => {
    // Prepare
    const app = `a${'b'.repeat(39)}`;

    // Act
    const name = retirementScheduleName(app, 'failback-20250301T0000-manual');

    // Assess
    expect(name).toBe(retirementScheduleName(app, 'failback-20250301T0000-manual'));
    expect(name).not.toBe(retirementScheduleName(app, 'failback-20250302T0000-manual'));
    expect(name.startsWith(retirementSchedulePrefix(app))).toBe(true);
    expect(name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
  });

  it('is due a soak after production was home, to the second rounded up, and never in the past', () => {
    // Prepare
    const now = new Date('2025-03-01T00:10:00Z');

    // Act
    const t = retirementTime('2025-03-01T00:00:00.250Z', 40 * 86_400, now);
    const late = retirementTime('2025-01-01T00:00:00Z', 8 * 86_400, now);

    // Assess
    expect(t.toISOString()).toBe('2025-04-10T00:00:01.000Z');
    expect(atExpression(t)).toBe('at(2025-04-10T00:00:01)');
    expect(timeOfAtExpression(atExpression(t))).toEqual(t);
    expect(timeOfAtExpression('rate(1 day)')).toBeUndefined();
    expect(late.toISOString()).toBe('2025-03-01T00:15:00.000Z');
  });

  it('runs only while the app is home from the same failback', () => {
    // Act
    const due = checkRetirementDue(home, run);
    const failedOver = checkRetirementDue({ ...home, status: 'FAILED_OVER', runId: 'failover-2' }, run);
    const otherFailback = checkRetirementDue({ ...home, failbackId: 'fb-2' }, run);

    // Assess
    expect(due.due).toBe(true);
    expect(failedOver).toEqual({
      due: false,
      reason: 'shop is FAILED_OVER (run failover-2), not home from failback fb-1 to us-east-1',
    });
    expect(otherFailback).toEqual({
      due: false,
      reason: 'shop is home from failback fb-2 in us-east-1, not from failback fb-1 to us-east-1',
    });
  });
});
