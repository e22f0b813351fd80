/**
 * The protect workflow's first write: the lease of every tier the run protects, before it touches
 * AWS. When another run of one of those tiers is still in progress, nothing is taken and the run
 * is skipped: the only thing written is a `skipped: run X in progress` run record (with a log line
 * and a ProtectionRunsSkipped metric). A lease expires with the run's cap, so a run that died
 * without releasing it blocks its tiers only until then.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { type ActiveProtection, protectionFor } from '../recovery-points/active-protection';
import { takeProtectLeases } from '../recovery-points/protection-lease';
import { leaseExpiresAt } from '../recovery-points/protection-run';
import { DR_DIMENSIONS, DR_METRICS } from '../rpo/dr-metric-names';
import { drMetrics } from '../rpo/dr-metrics';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { InvalidInputError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const inputSchema = z.strictObject({
  tiers: z.array(z.string().min(1).max(64)).min(1, 'expected at least one tier'),
  protectRun: z.string().min(1).max(128),
  /** When the run started (the execution's start): the lease expires a cap after it. @default now */
  startedAt: z.iso.datetime({ offset: true }).optional(),
});

export type TakeProtectLeaseResult =
  | {
      readonly taken: true;
      readonly tiers: string[];
      readonly expiresAt: string;
      /** Which way this run protects (decided once, from the app's status): every tier follows it. */
      readonly active: ActiveProtection;
    }
  | {
      readonly taken: false;
      readonly tiers: string[];
      /** `skipped: run X in progress`, or `skipped: the app is FAILING_BACK`. */
      readonly skipped: string;
      /** The run holding a tier, when that is why. */
      readonly heldBy?: string;
      readonly tier?: string;
    };

export function makeTakeProtectLeaseHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<TakeProtectLeaseResult> => {
    const input = parseTaskInput(inputSchema, event, 'take-protect-lease');
    const ctx = taskContext(deps);
    const { plan } = ctx;
    const known = plan.tiers.map((t) => t.name);
    const unknown = input.tiers.filter((t) => !known.includes(t));
    if (unknown.length > 0)
      throw new InvalidInputError(
        `unknown tier(s) ${unknown.map((t) => JSON.stringify(t)).join(', ')}; the plan's tiers are ${known.join(', ')}`,
        { tiers: unknown },
      );
    const tiers = known.filter((t) => input.tiers.includes(t));
    const now = ctx.now();
    const startedAt = input.startedAt ? new Date(input.startedAt) : now;
    const expiresAt = leaseExpiresAt(plan, startedAt);
    const decision = protectionFor(await ctx.state.getApp(plan.app, plan.primaryRegion), plan);
    if (!decision.protect) {
      await ctx.state.putRun(plan.app, input.protectRun, {
        workflow: 'protect',
        status: 'SKIPPED',
        startedAt: startedAt.toISOString(),
        tiers,
        reason: decision.reason,
      });
      logger.warn('protection run skipped: production is being moved', {
        runId: input.protectRun,
        reason: decision.reason,
      });
      skippedMetric(plan.app, tiers);
      return { taken: false, tiers, skipped: decision.reason };
    }
    const lease = await takeProtectLeases(ctx.state, {
      app: plan.app,
      tiers,
      runId: input.protectRun,
      now,
      expiresAt,
    });
    if (lease.taken) {
      logger.info('protection leases taken', {
        tiers,
        runId: input.protectRun,
        expiresAt,
        direction: decision.active.direction,
      });
      return { taken: true, tiers, expiresAt: expiresAt.toISOString(), active: decision.active };
    }

    const skipped = `skipped: run ${lease.heldBy} in progress`;
    await ctx.state.putRun(plan.app, input.protectRun, {
      workflow: 'protect',
      status: 'SKIPPED',
      startedAt: startedAt.toISOString(),
      tiers,
      reason: `${skipped} (tier ${lease.tier})`,
      heldBy: lease.heldBy,
    });
    logger.warn('protection run skipped: another run of the tier is in progress', {
      runId: input.protectRun,
      tier: lease.tier,
      heldBy: lease.heldBy,
      heldUntil: lease.expiresAt,
    });
    skippedMetric(plan.app, [lease.tier]);
    return { taken: false, tiers, skipped, heldBy: lease.heldBy, tier: lease.tier };
  };
}

/** One ProtectionRunsSkipped per tier (one EMF document each: each carries its own Tier). */
function skippedMetric(app: string, tiers: readonly string[]): void {
  const metrics = drMetrics();
  for (const tier of tiers) {
    metrics.addDimensions({ [DR_DIMENSIONS.app]: app, [DR_DIMENSIONS.tier]: tier });
    metrics.addMetric(DR_METRICS.protectionRunsSkipped, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  }
}

export const handler = makeTakeProtectLeaseHandler();
