/**
 * Starts the next batch of one tier's resources in the recovery region, in parallel, from the
 * chosen points, and records them in the tier inventory; `done: false` sends the state machine
 * back for the next batch. Whatever an earlier attempt already started is found by tag (and
 * RunInstances' client token, RDS's deterministic identifier) and reused.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { FAILOVER_ARTIFACTS, failoverRunSchema, tierRefSchema } from '../failover/failover-run';
import { resolvePlacements } from '../failover/placement';
import { recoverTier } from '../failover/recover-tier';
import type { TierInventory } from '../failover/recovered-resource';
import { nextRecoveryBatch, RECOVERY_BATCH_SIZE } from '../failover/recovery-batch';
import type { RecoverySelection } from '../failover/recovery-selection';
import { TAG } from '../recovery-points/recovery-point';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { InvalidInputError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failoverRunSchema,
  tier: tierRefSchema,
  /** Smaller batches than the default (tests; accounts with tight EC2 request limits). */
  batchSize: z.number().int().min(1).max(RECOVERY_BATCH_SIZE).optional(),
});

export interface RecoverTierResult {
  readonly tierIndex: number;
  readonly inventoryKey: string;
  readonly startedAt: string;
  readonly total: number;
  /** Resources started so far, this batch included. */
  readonly started: number;
  /** This batch: started by it, or found started by an earlier attempt. */
  readonly created: number;
  readonly reused: number;
  /** Every resource of the tier is started: the state machine goes on to the readiness checks. */
  readonly done: boolean;
}

export function makeRecoverTierHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<RecoverTierResult> => {
    const { run, tier, batchSize } = parseTaskInput(eventSchema, event, 'recover-tier');
    const ctx = taskContext(deps);
    const selection = await ctx.artifacts.getJson<RecoverySelection>(
      runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection),
    );
    const selected = selection.tiers[tier.index];
    if (!selected) throw new InvalidInputError(`tier ${tier.index} is not in the recovery selection`);
    const inventoryKey = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.tierInventory(tier.index));
    const previous = await ctx.artifacts.getJsonIfExists<TierInventory>(inventoryKey);
    const recorded = previous?.resources ?? [];
    const { batch, last, ordinals } = nextRecoveryBatch(selected.resources, recorded, batchSize);
    const placements =
      batch.length > 0
        ? await resolvePlacements(ctx.clients.ec2(run.targetRegion), ctx.plan, run.targetRegion)
        : {};
    const resources =
      batch.length > 0
        ? await recoverTier(ctx.clients, {
            app: run.app,
            region: run.targetRegion,
            episode: { tagKey: run.drill ? TAG.drill : TAG.failover, id: run.failoverId },
            dbMarker: run.drill ? 'dr' : 'pf',
            runId: run.runId,
            resources: batch,
            placements,
            ordinals,
          })
        : [];
    const all = [...recorded, ...resources];
    const inventory: TierInventory = {
      ...previous,
      tierIndex: tier.index,
      tier: tier.name,
      region: run.targetRegion,
      startedAt: previous?.startedAt ?? ctx.now().toISOString(),
      resources: all,
      progress: { total: selected.resources.length, started: all.length, done: last },
    };
    await ctx.artifacts.putJson(inventoryKey, inventory);
    const created = resources.filter((r) => r.created).length;
    logger.info('tier recovery batch started', {
      tier: tier.name,
      total: selected.resources.length,
      started: all.length,
      batch: resources.length,
      created,
      done: last,
    });
    return {
      tierIndex: tier.index,
      inventoryKey,
      startedAt: inventory.startedAt,
      total: selected.resources.length,
      started: all.length,
      created,
      reused: resources.length - created,
      done: last,
    };
  };
}

export const handler = makeRecoverTierHandler();
