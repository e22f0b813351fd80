/**
 * Takes the failback lock (FAILED_OVER or FAILBACK_FAILED → FAILING_BACK) with a conditional
 * write and opens the run record. Of two concurrent failbacks, exactly one gets here.
 */
import { z } from 'zod';
import { failbackRunSchema } from '../failback/failback-run';
import { notify } from '../notify/notify';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failbackRunSchema,
  reconciliation: z.object({ key: z.string() }).passthrough(),
});

export function makeTakeFailbackLockHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, reconciliation } = parseTaskInput(eventSchema, event, 'take-failback-lock');
    const ctx = taskContext(deps);
    const record = await ctx.state.acquire('failback', run.app, run.runId, run.targetRegion, ctx.now(), {
      failbackId: run.failbackId,
    });
    await ctx.state.putRun(run.app, run.runId, {
      workflow: 'failback',
      status: 'RUNNING',
      startedAt: run.startedAt,
      failbackId: run.failbackId,
      failoverId: run.failoverId,
      strategy: run.strategy,
      steps: run.steps,
      reconciliationKey: reconciliation.key,
    });
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: failback of ${run.app} started`,
      lines: [
        `Failback of ${run.app} from ${run.sourceRegion} to ${run.targetRegion} started (run ${run.runId}), ${run.strategy}${run.strategy === 'staged' ? ` through ${run.steps.join(', ')} %` : ''}.`,
        `Reconciliation report: ${reconciliation.key.replace(/\.json$/, '.md')} in the artifact bucket.`,
      ],
    });
    return { status: record.status, previousStatus: record.previousStatus };
  };
}

export const handler = makeTakeFailbackLockHandler();
