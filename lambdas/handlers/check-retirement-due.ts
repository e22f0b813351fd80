/**
 * First state of a scheduled retirement: may it still run? Only while the app is home from the
 * same failback (see checkRetirementDue); otherwise the retirement is skipped and nothing changes.
 * Reads only. The run it hands on takes the retirement cap of the plan deployed now, which also
 * sized the retirement state machine's timeout, not the one of the plan at failback time.
 */
import { z } from 'zod';
import { failbackRunSchema } from '../failback/failback-run';
import { checkRetirementDue } from '../failback/scheduled-retirement';
import { durationSeconds } from '../plan/duration';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema, retireAt: z.string().min(1) });

export function makeCheckRetirementDueHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, retireAt } = parseTaskInput(eventSchema, event, 'check-retirement-due');
    const ctx = taskContext(deps);
    const app = await ctx.state.getApp(run.app, ctx.plan.primaryRegion);
    const check = checkRetirementDue(app, run);
    logger.info('scheduled retirement', { due: check.due, reason: check.reason, retireAt });
    return {
      ...check,
      retireAt,
      run: {
        ...run,
        caps: { ...run.caps, retireSeconds: durationSeconds(ctx.plan.failback.retireCap) },
      },
    };
  };
}

export const handler = makeCheckRetirementDueHandler();
