/**
 * Last state of a scheduled retirement: records in the failback's run record what it did (the
 * recovery copies retired, or skipped and why) and tells the topic.
 */
import { z } from 'zod';
import { failbackRunSchema } from '../failback/failback-run';
import { notify } from '../notify/notify';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failbackRunSchema,
  check: z.object({ due: z.boolean(), reason: z.string(), retireAt: z.string() }),
  /** What RetireRecoveryCopies returned; absent when the retirement was skipped. */
  retired: z
    .object({
      retired: z.number().int(),
      alreadyGone: z.number().int(),
      finalSnapshots: z.array(z.string()),
      key: z.string(),
    })
    .passthrough()
    .optional(),
});

export function makeRecordRetirementHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, check, retired } = parseTaskInput(eventSchema, event, 'record-retirement');
    const ctx = taskContext(deps);
    const at = ctx.now().toISOString();
    const status = retired ? 'RETIRED' : 'SKIPPED';
    await ctx.state.updateRun(run.app, run.runId, {
      retirement: {
        status,
        at,
        scheduledFor: check.retireAt,
        ...(retired
          ? { retired: retired.retired, alreadyGone: retired.alreadyGone, key: retired.key }
          : { reason: check.reason }),
      },
    });
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: retired
        ? `Pendulum: ${run.app}'s recovery copies retired`
        : `Pendulum: retirement of ${run.app}'s recovery copies skipped`,
      lines: retired
        ? [
            `The recovery copies of failback ${run.failbackId} in ${run.sourceRegion} are retired: ${retired.retired} retired, ${retired.alreadyGone} already gone.`,
            `Final AMIs and snapshots are kept (${retired.finalSnapshots.slice(0, 5).join(', ') || 'none'}${retired.finalSnapshots.length > 5 ? ', …' : ''}); the full list is ${retired.key} in the artifact bucket.`,
          ]
        : [
            `The retirement scheduled for ${check.retireAt} changed nothing: ${check.reason}.`,
            `The recovery copies of failback ${run.failbackId} in ${run.sourceRegion} are kept; retire them by hand once they are not needed.`,
          ],
    });
    return { status, app: run.app, runId: run.runId, at };
  };
}

export const handler = makeRecordRetirementHandler();
