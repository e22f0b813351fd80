/**
 * First failover state: checks the input and that the app may fail over, writing nothing. The
 * lock is taken later (take-failover-lock) once hooks and recovery points have said yes, so a
 * veto or a missing recovery point leaves no trace.
 */
import { z } from 'zod';
import { failoverInputSchema } from '../failover/failover-input';
import type { FailoverRun } from '../failover/failover-run';
import { recoveryCapSeconds } from '../failover/recovery-cap';
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
    const drill = input.mode === 'drill';
    const resuming = current.status === 'FAILING_OVER' && current.runId === runId;
    // A re-run after a failed failover continues the same episode, so it finds what the first made.
    const failoverId =
      !drill && (current.status === 'FAILOVER_FAILED' || resuming) && typeof current.failoverId === 'string'
        ? current.failoverId
        : runId;
    if (drill && current.status !== 'PRIMARY_ACTIVE') {
      throw new WrongStateError(`a drill needs ${plan.app} to be PRIMARY_ACTIVE; it is ${current.status}`, {
        status: current.status,
      });
    }
    if (!LOCK_RULES.failover.from.includes(current.status) && !resuming) {
      throw new WrongStateError(
        `failover cannot start: ${plan.app} is ${current.status}${current.runId ? ` (run ${current.runId})` : ''}; it needs ${LOCK_RULES.failover.from.join(' or ')}`,
        { status: current.status },
      );
    }
    logger.info('failover prepared', { app: plan.app, runId, failoverId, dryRun: input.dryRun, drill });
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
        rtoSeconds: durationSeconds(tier.rto),
        recoveryCapSeconds: recoveryCapSeconds(tier),
      })),
      drill,
      skipHooks: input.dryRun || drill,
      ...(input.trigger ? { trigger: input.trigger } : {}),
      gates: {
        confirmationDelaySeconds: durationSeconds(plan.triggers.confirmationDelay),
        cooldownSeconds: durationSeconds(plan.triggers.cooldown),
        approvalRequired: plan.triggers.mode === 'approval',
        approvalTimeoutSeconds: durationSeconds(plan.triggers.approvalTimeout),
        onApprovalTimeout: plan.triggers.onApprovalTimeout,
      },
    };
  };
}

export const handler = makeFailoverPrepareHandler();
