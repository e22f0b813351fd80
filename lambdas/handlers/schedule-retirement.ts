/**
 * Production is home and the stale primary retired; the soak is longer than the failback execution
 * waits (see scheduled-retirement.ts): creates the one-time schedule that starts the retirement
 * state machine when the soak is over, counted from when production was home, then records
 * "retirement scheduled for T" in the run record, the outcome and its report, and tells the topic.
 * A retry finds the schedule by its name and keeps its time.
 */
import { z } from 'zod';
import { failbackRunSchema } from '../failback/failback-run';
import { ensureRetirementSchedule } from '../failback/retirement-schedule';
import {
  MAX_TARGET_INPUT_CHARS,
  type RetirementInput,
  retirementScheduleName,
  retirementTime,
} from '../failback/scheduled-retirement';
import { notify } from '../notify/notify';
import { formatDuration } from '../plan/duration';
import type { OutcomeDocument } from '../reports/report-from-outcome';
import { writeRunReport } from '../reports/write-run-report';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { ValidationFailedError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failbackRunSchema,
  /** What RecordFailback returned: when production was home, and where its outcome is. */
  home: z.object({ completedAt: z.string().min(1), outcomeKey: z.string().min(1) }),
  /** The retirement state machine, the role Scheduler starts it with, and the stack's schedule group. */
  target: z.object({
    stateMachineArn: z.string().min(1),
    roleArn: z.string().min(1),
    scheduleGroup: z.string().min(1),
  }),
});

export interface ScheduleRetirementResult {
  /** `<group>/<name>`. */
  readonly schedule: string;
  readonly scheduledFor: string;
  /** This call made the schedule (false: an earlier attempt had). */
  readonly created: boolean;
}

export function makeScheduleRetirementHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<ScheduleRetirementResult> => {
    const { run, home, target } = parseTaskInput(eventSchema, event, 'schedule-retirement');
    const ctx = taskContext(deps);
    const at = retirementTime(home.completedAt, run.soakSeconds, ctx.now());
    const name = retirementScheduleName(run.app, run.failbackId);
    const input = JSON.stringify({ run, retireAt: at.toISOString() } satisfies RetirementInput);
    if (input.length > MAX_TARGET_INPUT_CHARS)
      throw new ValidationFailedError(
        `the retirement's input is ${input.length} characters, over Scheduler's ${MAX_TARGET_INPUT_CHARS}: nothing was scheduled; the recovery copies are kept`,
      );
    const schedule = await ensureRetirementSchedule(ctx.clients.scheduler(), {
      group: target.scheduleGroup,
      name,
      at,
      stateMachineArn: target.stateMachineArn,
      roleArn: target.roleArn,
      input,
      description: `Pendulum ${run.app}: retires the recovery copies of failback ${run.failbackId} after the soak`,
    });
    const scheduledFor = schedule.at.toISOString();
    const where = `${target.scheduleGroup}/${name}`;

    await ctx.state.updateRun(run.app, run.runId, {
      retirementScheduledFor: scheduledFor,
      retirementSchedule: where,
    });
    const outcome = await ctx.artifacts.getJson<OutcomeDocument>(home.outcomeKey);
    const recorded = { ...outcome, retirement: { scheduledFor, schedule: where } };
    await ctx.artifacts.putJson(home.outcomeKey, recorded);
    await writeRunReport(ctx.artifacts, ctx.plan, home.outcomeKey, recorded);
    logger.info('retirement scheduled', { schedule: where, scheduledFor, created: schedule.created });
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: retirement of ${run.app}'s recovery copies scheduled for ${scheduledFor}`,
      lines: [
        `${run.app} is home in ${run.targetRegion} (run ${run.runId}); its recovery copies in ${run.sourceRegion} are kept for the soak of ${formatDuration(run.soakSeconds)}.`,
        `Retirement scheduled for ${scheduledFor} (schedule ${where}); it runs only if ${run.app} is still home from this failback, and keeps a final AMI or snapshot of each copy.`,
      ],
    });
    return { schedule: where, scheduledFor, created: schedule.created };
  };
}

export const handler = makeScheduleRetirementHandler();
