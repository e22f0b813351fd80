import { describe, expect, it } from 'vitest';
import {
  SCHEDULED_TIME_PLACEHOLDER,
  scheduledWindowInput,
  scheduledWindowSchema,
  windowEndFrom,
} from '../../lambdas/rpo/failback-window';
import { InvalidInputError } from '../../lambdas/runtime/task-errors';

describe('windowEndFrom', () => {
  it('adds the window duration to the time the schedule was due', () => {
    expect(windowEndFrom('2026-03-01T02:00:00Z', '4h')).toBe('2026-03-01T06:00:00.000Z');
    expect(windowEndFrom('2026-03-01T23:30:00Z', '1h30m')).toBe('2026-03-02T01:00:00.000Z');
  });

  it('reads offsets and counts elapsed time across a daylight-saving change', () => {
    // Europe/London goes from GMT to BST at 01:00 UTC on 2026-03-29: a window opening at 00:30 local
    // (00:30 UTC) lasts four hours of elapsed time, to 04:30 UTC (05:30 local).
    expect(windowEndFrom('2026-03-29T00:30:00+00:00', '4h')).toBe('2026-03-29T04:30:00.000Z');
    expect(windowEndFrom('2026-03-29T02:00:00+01:00', '2h')).toBe('2026-03-29T03:00:00.000Z');
  });

  it.each([
    ['2026-03-01 02:00', '4h'],
    ['<aws.scheduler.scheduled-time>', '4h'],
    ['2026-03-01T02:00:00Z', 'four hours'],
    ['2026-03-01T02:00:00Z', ''],
  ])('refuses scheduledTime %j with duration %j as invalid input', (scheduledTime, duration) => {
    expect(() => windowEndFrom(scheduledTime, duration)).toThrow(InvalidInputError);
  });
});

describe('scheduledWindowInput', () => {
  it("is the input a window's schedule sends, with Scheduler's scheduled-time placeholder", () => {
    expect(scheduledWindowInput('4h')).toEqual({
      window: { scheduledTime: '<aws.scheduler.scheduled-time>', duration: '4h' },
    });
    expect(SCHEDULED_TIME_PLACEHOLDER).toBe('<aws.scheduler.scheduled-time>');
  });

  it('parses, once Scheduler has filled it in, with the window schema', () => {
    const delivered = { scheduledTime: '2026-03-01T02:00:00Z', duration: '4h' };
    expect(scheduledWindowSchema.parse(delivered)).toEqual(delivered);
    expect(scheduledWindowSchema.safeParse({ ...delivered, extra: 1 }).success).toBe(false);
  });
});
