/**
 * First failback state: checks the input, that the app is failed over, and that the work fits the
 * window, writing nothing. The lock comes later, after hooks and reconciliation say yes.
 */
import { z } from 'zod';
import { estimateFailbackSeconds } from '../failback/failback-estimate';
import { failbackInputSchema } from '../failback/failback-input';
import type { FailbackRun } from '../failback/failback-run';
import { durationSeconds, formatDuration } from '../plan/duration';
import { preflightClients } from '../preflight/preflight-clients';
import { refuseOnProblems } from '../preflight/refuse-on-problems';
import { PREFLIGHT_SCOPES, runPreflight } from '../preflight/run-preflight';
import { windowEndFrom } from '../rpo/failback-window';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { GateClosedError, WrongStateError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';
import { LOCK_RULES } from '../state/app-status';

const eventSchema = z.object({
  input: z.unknown(),
  execution: z.object({ name: z.string().min(1), startTime: z.string().min(1) }),
});

/** A scheduled window's run that should not go ahead ends cleanly with this, changing nothing. */
export interface SkippedFailback {
  readonly skipped: { readonly status: 'SKIPPED'; readonly reason: string };
}

export function makeFailbackPrepareHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<FailbackRun | SkippedFailback> => {
    const { execution, input: rawInput } = parseTaskInput(eventSchema, event, 'failback task');
    const input = parseTaskInput(failbackInputSchema, rawInput ?? {}, 'failback');
    const ctx = taskContext(deps);
    const { plan } = ctx;
    const runId = execution.name;
    const windowEnd =
      input.windowEnd ??
      (input.window ? windowEndFrom(input.window.scheduledTime, input.window.duration) : undefined);
    try {
      return await prepare();
    } catch (error) {
      // A window opens every week; when there is nothing to do, that is not a failure.
      if (input.window && (error instanceof WrongStateError || error instanceof GateClosedError)) {
        logger.info('failback window skipped', { reason: error.message });
        return { skipped: { status: 'SKIPPED', reason: error.message } };
      }
      throw error;
    }

    async function prepare(): Promise<FailbackRun> {
      const current = await ctx.state.getApp(plan.app, plan.primaryRegion);
      const resuming = current.status === 'FAILING_BACK' && current.runId === runId;
      if (!LOCK_RULES.failback.from.includes(current.status) && !resuming) {
        throw new WrongStateError(
          `failback cannot start: ${plan.app} is ${current.status}${current.runId ? ` (run ${current.runId})` : ''}; it needs ${LOCK_RULES.failback.from.join(' or ')}`,
          { status: current.status },
        );
      }
      const failoverId = String(current.failoverId ?? '');
      const failoverRunId = String(current.lastFailoverRunId ?? '');
      if (!failoverId || !failoverRunId) {
        throw new WrongStateError(
          `failback cannot start: the state table has no completed failover for ${plan.app}`,
        );
      }
      if (input.window && plan.failback.requireApproval) {
        const approval = await ctx.state.get(`APP#${plan.app}`, 'APPROVAL#failback');
        const fresh =
          approval && (!approval.expiresAt || Date.parse(String(approval.expiresAt)) > ctx.now().getTime());
        if (!fresh)
          throw new GateClosedError(
            'the plan requires approval for a scheduled failback and none is recorded (pendulum approve --workflow failback)',
          );
      }
      const failbackId =
        (current.status === 'FAILBACK_FAILED' || resuming) && typeof current.failbackId === 'string'
          ? current.failbackId
          : runId;
      const strategy = input.strategy ?? plan.failback.strategy;
      const steps = input.steps ?? plan.failback.steps;
      if (windowEnd) {
        const needed = estimateFailbackSeconds(plan, strategy, steps);
        const left = Math.floor((Date.parse(windowEnd) - ctx.now().getTime()) / 1000);
        if (needed > left) {
          throw new GateClosedError(
            `failback would overrun its window: about ${formatDuration(needed)} of work, ${left > 0 ? formatDuration(left) : 'no time'} left before ${windowEnd}; nothing was changed`,
            { neededSeconds: needed, leftSeconds: left },
          );
        }
      }
      // The zones, profiles and keys it will need, checked before the run takes its lock.
      refuseOnProblems(
        await runPreflight(preflightClients(ctx.clients), plan, PREFLIGHT_SCOPES.failback(plan)),
        'the failback',
      );
      const prefer = input.prefer ?? plan.failback.prefer;
      return {
        app: plan.app,
        runId,
        failbackId,
        failoverId,
        failoverRunId,
        startedAt: execution.startTime,
        sourceRegion: String(current.activeRegion ?? plan.recoveryRegion),
        targetRegion: input.targetRegion ?? plan.primaryRegion,
        strategy,
        steps,
        ...(prefer ? { prefer } : {}),
        dryRun: input.dryRun,
        ...(windowEnd ? { windowEnd } : {}),
        soakSeconds: durationSeconds(plan.failback.soak),
        caps: {
          syncSeconds: durationSeconds(plan.failback.syncCap),
          retireSeconds: durationSeconds(plan.failback.retireCap),
        },
        tiers: plan.tiers.map((tier, index) => ({
          index,
          name: tier.name,
          timeoutSeconds: durationSeconds(tier.rto),
        })),
      };
    }
  };
}

export const handler = makeFailbackPrepareHandler();
