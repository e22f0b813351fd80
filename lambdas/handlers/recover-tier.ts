/**
 * Starts every resource of one tier in the recovery region, in parallel, from the chosen points.
 * Whatever an earlier attempt of this failover already started is found by tag and reused.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { FAILOVER_ARTIFACTS, failoverRunSchema, tierRefSchema } from '../failover/failover-run';
import { resolvePlacements } from '../failover/placement';
import { recoverTier } from '../failover/recover-tier';
import type { TierInventory } from '../failover/recovered-resource';
import type { RecoverySelection } from '../failover/recovery-selection';
import { TAG } from '../recovery-points/recovery-point';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { InvalidInputError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema, tier: tierRefSchema });

export interface RecoverTierResult {
  readonly tierIndex: number;
  readonly inventoryKey: string;
  readonly startedAt: string;
  readonly total: number;
  readonly created: number;
  readonly reused: number;
}

export function makeRecoverTierHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<RecoverTierResult> => {
    const { run, tier } = parseTaskInput(eventSchema, event, 'recover-tier');
    const ctx = taskContext(deps);
    const selection = await ctx.artifacts.getJson<RecoverySelection>(
      runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection),
    );
    const selected = selection.tiers[tier.index];
    if (!selected) throw new InvalidInputError(`tier ${tier.index} is not in the recovery selection`);
    const inventoryKey = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.tierInventory(tier.index));
    const previous = await ctx.artifacts.getJsonIfExists<TierInventory>(inventoryKey);
    const placements = await resolvePlacements(ctx.clients.ec2(run.targetRegion), ctx.plan, run.targetRegion);
    const resources = await recoverTier(ctx.clients, {
      app: run.app,
      region: run.targetRegion,
      episode: { tagKey: run.drill ? TAG.drill : TAG.failover, id: run.failoverId },
      dbMarker: run.drill ? 'dr' : 'pf',
      runId: run.runId,
      resources: selected.resources,
      placements,
    });
    const inventory: TierInventory = {
      tierIndex: tier.index,
      tier: tier.name,
      region: run.targetRegion,
      startedAt: previous?.startedAt ?? ctx.now().toISOString(),
      resources,
    };
    await ctx.artifacts.putJson(inventoryKey, inventory);
    const created = resources.filter((r) => r.created).length;
    logger.info('tier recovery started', { tier: tier.name, total: resources.length, created });
    return {
      tierIndex: tier.index,
      inventoryKey,
      startedAt: inventory.startedAt,
      total: resources.length,
      created,
      reused: resources.length - created,
    };
  };
}

export const handler = makeRecoverTierHandler();
