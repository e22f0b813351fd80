/**
 * Asks, in bulk, whether a tier's recovered resources are up. Not ready yet is a normal answer
 * (the state machine waits and asks again); past the tier's RTO it fails with the laggards.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { FAILOVER_ARTIFACTS, failoverRunSchema, tierRefSchema } from '../failover/failover-run';
import { assessTier } from '../failover/recover-tier';
import type { TierInventory } from '../failover/recovered-resource';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { ReadyTimeoutError, ValidationFailedError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema, tier: tierRefSchema });

export interface CheckTierReadyResult {
  readonly ready: boolean;
  readonly waitedSeconds: number;
  /** How long the state machine waits before asking again. */
  readonly nextPollSeconds: number;
  readonly laggards: { id: string; state: string }[];
}

/**
 * Bounded backoff for readiness polls: a quarter of the time waited so far, between 5 s and 60 s,
 * so a fast tier is seen quickly and a slow RDS restore is not asked every few seconds for an hour.
 */
export function nextPollSeconds(waitedSeconds: number): number {
  return Math.min(60, Math.max(5, Math.round(waitedSeconds / 4)));
}

export function makeCheckTierReadyHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<CheckTierReadyResult> => {
    const { run, tier } = parseTaskInput(eventSchema, event, 'check-tier-ready');
    const ctx = taskContext(deps);
    const key = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.tierInventory(tier.index));
    const inventory = await ctx.artifacts.getJson<TierInventory & { readyAt?: string }>(key);
    const readiness = await assessTier(ctx.clients, inventory.region, inventory.resources);
    const now = ctx.now();
    const waitedSeconds = Math.round((now.getTime() - Date.parse(inventory.startedAt)) / 1000);
    await ctx.artifacts.putJson(key, {
      ...inventory,
      resources: readiness.resources,
      ...(readiness.ready ? { readyAt: inventory.readyAt ?? now.toISOString() } : {}),
    });
    if (readiness.broken.length > 0) {
      throw new ValidationFailedError(
        `tier ${tier.name}: ${readiness.broken.length} resource(s) can never become ready: ${readiness.broken
          .slice(0, 10)
          .map((b) => `${b.id} (${b.state})`)
          .join(', ')}`,
        { broken: readiness.broken.slice(0, 50) },
      );
    }
    if (!readiness.ready && waitedSeconds > tier.timeoutSeconds) {
      throw new ReadyTimeoutError(
        `tier ${tier.name} not ready after ${waitedSeconds}s (RTO ${tier.timeoutSeconds}s); still waiting for ${readiness.laggards
          .slice(0, 10)
          .map((l) => `${l.id} (${l.state})`)
          .join(', ')}`,
        { laggards: readiness.laggards.slice(0, 50) },
      );
    }
    return {
      ready: readiness.ready,
      waitedSeconds,
      nextPollSeconds: nextPollSeconds(waitedSeconds),
      laggards: readiness.laggards.slice(0, 20),
    };
  };
}

export const handler = makeCheckTierReadyHandler();
