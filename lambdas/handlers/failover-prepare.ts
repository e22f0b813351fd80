/**
 * First failover state: checks the input and that the app may fail over, writing nothing. The
 * lock is taken later (take-failover-lock) once hooks and recovery points have said yes, so a
 * veto or a missing recovery point leaves no trace.
 */
import { z } from 'zod';
import { failoverInputSchema } from '../failover/failover-input';
import type { FailoverRun } from '../failover/failover-run';
import { durationSeconds } from '../plan/duration';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { WrongStateError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';
import { LOCK_RULES } from '../state/app-status';

const eventSchema = z.object({
  input: z.unknown(),
  execution: z.object({ name: z.string().min(1), startTime: z.string().min(1) }),
});

export function makeFailoverPrepareHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<FailoverRun> => {
    const { execution, input: rawInput } = parseTaskInput(eventSchema, event, 'failover task');
    const input = parseTaskInput(failoverInputSchema, rawInput ?? {}, 'failover');
    const ctx = taskContext(deps);
    const { plan } = ctx;
    const runId = execution.name;
    const current = await ctx.state.getApp(plan.app, plan.primaryRegion);
    // A re-run after a failed failover continues the same episode, so it finds what the first made.
    const failoverId =
      (current.status === 'FAILOVER_FAILED' ||
        (current.status === 'FAILING_OVER' && current.runId === runId)) &&
      typeof current.failoverId === 'string'
        ? current.failoverId
        : runId;
    if (
      !LOCK_RULES.failover.from.includes(current.status) &&
      !(current.status === 'FAILING_OVER' && current.runId === runId)
    ) {
      throw new WrongStateError(
        `failover cannot start: ${plan.app} is ${current.status}${current.runId ? ` (run ${current.runId})` : ''}; it needs ${LOCK_RULES.failover.from.join(' or ')}`,
        { status: current.status },
      );
    }
    logger.info('failover prepared', { app: plan.app, runId, failoverId, dryRun: input.dryRun });
    return {
      app: plan.app,
      runId,
      failoverId,
      startedAt: execution.startTime,
      sourceRegion: plan.primaryRegion,
      targetRegion: plan.recoveryRegion,
      recoveryPoint: input.recoveryPoint,
      force: input.force,
      dryRun: input.dryRun,
      ...(input.reason ? { reason: input.reason } : {}),
      tiers: plan.tiers.map((tier, index) => ({
        index,
        name: tier.name,
        timeoutSeconds: durationSeconds(tier.rto),
      })),
    };
  };
}

export const handler = makeFailoverPrepareHandler();
