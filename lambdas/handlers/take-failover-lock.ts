/**
 * Takes the app's failover lock (PRIMARY_ACTIVE or FAILOVER_FAILED → FAILING_OVER) with a
 * conditional write, and opens the run record. Of two concurrent starts, exactly one gets here.
 */
import { z } from 'zod';
import { failoverRunSchema } from '../failover/failover-run';
import { notify } from '../notify/notify';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema });

export function makeTakeFailoverLockHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run } = parseTaskInput(eventSchema, event, 'take-failover-lock');
    const ctx = taskContext(deps);
    if (run.drill) {
      // A drill leaves the app's status alone; it only keeps two drills from overlapping.
      await ctx.state.acquireDrill(run.app, run.runId, ctx.now());
      await ctx.state.putRun(run.app, run.runId, {
        workflow: 'drill',
        status: 'RUNNING',
        startedAt: run.startedAt,
        recoveryPoint: run.recoveryPoint,
      });
      return { status: 'DRILLING', previousStatus: 'PRIMARY_ACTIVE' };
    }
    const record = await ctx.state.acquire('failover', run.app, run.runId, run.sourceRegion, ctx.now(), {
      failoverId: run.failoverId,
    });
    await ctx.state.putRun(run.app, run.runId, {
      workflow: 'failover',
      status: 'RUNNING',
      startedAt: run.startedAt,
      failoverId: run.failoverId,
      recoveryPoint: run.recoveryPoint,
      force: run.force,
      reason: run.reason,
    });
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: failover of ${run.app} started`,
      lines: [
        `Failover of ${run.app} from ${run.sourceRegion} to ${run.targetRegion} started (run ${run.runId}).`,
        run.reason ? `Reason: ${run.reason}` : 'No reason was given.',
        run.trigger ? `Started by alarm ${run.trigger.alarmName}.` : 'Started by an operator.',
        `Recovery point: ${run.recoveryPoint}${run.force ? ' (forced: points older than the RPO accepted)' : ''}.`,
      ],
    });
    logger.info('failover lock taken', {
      app: run.app,
      runId: run.runId,
      previousStatus: record.previousStatus,
    });
    return { status: record.status, previousStatus: record.previousStatus };
  };
}

export const handler = makeTakeFailoverLockHandler();
