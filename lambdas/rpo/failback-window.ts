/**
 * Failback windows: when a window's schedule fires, EventBridge Scheduler starts the failback
 * workflow. The end of the window is not known when the stack is synthesized (it depends on when
 * the schedule fires), so the schedule sends when it fired and how long the window lasts, and the
 * workflow works out the end with {@link windowEndFrom}.
 *
 * The convention, as the failback execution receives it:
 *
 * ```json
 * { "window": { "scheduledTime": "2026-03-01T02:00:00Z", "duration": "4h" } }
 * ```
 *
 * `scheduledTime` is Scheduler's `<aws.scheduler.scheduled-time>` context attribute: the time the
 * schedule was due (UTC, ISO-8601), not the time it was delivered, so a late or retried delivery
 * still ends the window on time. `duration` is the plan's `failback.windows[].duration`.
 */
import { z } from 'zod';
import { durationSeconds } from '../plan/duration';
import { duration } from '../plan/plan-schema';
import { InvalidInputError } from '../runtime/task-errors';

/** Scheduler replaces this with the time the schedule was due, e.g. `2022-03-22T18:59:43Z`. */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

/** The `window` field of a failback execution started by a window's schedule. */
export const scheduledWindowSchema = z.strictObject({
  /** When the window opened (Scheduler's scheduled time). */
  scheduledTime: z.iso.datetime({ offset: true }),
  /** How long the window stays open, e.g. `4h`. */
  duration,
});

export type ScheduledWindow = z.infer<typeof scheduledWindowSchema>;

/**
 * The input a window's schedule starts the failback workflow with; the CDK app uses it so the
 * schedule and the workflow cannot disagree on the shape.
 */
export function scheduledWindowInput(windowDuration: string): { window: ScheduledWindow } {
  return { window: { scheduledTime: SCHEDULED_TIME_PLACEHOLDER, duration: windowDuration } };
}

/**
 * The end of a failback window, as an ISO-8601 UTC time: `scheduledTime` plus `duration` of elapsed
 * time (a window that spans a daylight-saving change still lasts exactly `duration`).
 *
 * @example windowEndFrom('2026-03-01T02:00:00Z', '4h') === '2026-03-01T06:00:00.000Z'
 * @throws InvalidInputError when `scheduledTime` is not an ISO-8601 time or `duration` not a duration
 */
export function windowEndFrom(scheduledTime: string, windowDuration: string): string {
  const parsed = scheduledWindowSchema.safeParse({ scheduledTime, duration: windowDuration });
  if (!parsed.success) {
    throw new InvalidInputError(
      `invalid failback window ${JSON.stringify({ scheduledTime, duration: windowDuration })}: expected an ISO-8601 scheduledTime such as 2026-03-01T02:00:00Z and a duration such as 4h`,
      { scheduledTime, duration: windowDuration },
    );
  }
  return new Date(Date.parse(scheduledTime) + durationSeconds(windowDuration) * 1000).toISOString();
}
