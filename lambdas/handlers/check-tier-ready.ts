/**
 * Asks, in bulk, whether a tier's recovered resources are up. Not ready yet is a normal answer
 * (the state machine waits and asks again). Past the tier's RTO the miss is recorded in the tier
 * inventory, with the laggards, and recovery goes on; only past the recovery cap does the tier fail.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { FAILOVER_ARTIFACTS, failoverRunSchema, tierRefSchema } from '../failover/failover-run';
import { assessTier } from '../failover/recover-tier';
import type { Laggard, TierInventory } from '../failover/recovered-resource';
import { decideTierWait } from '../failover/tier-wait';
import { formatDuration } from '../plan/duration';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { ReadyTimeoutError, ValidationFailedError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema, tier: tierRefSchema });

export interface CheckTierReadyResult {
  readonly ready: boolean;
  /** Since the tier's recovery started. */
  readonly waitedSeconds: number;
  /** Since the start of the run: what the RTO and the recovery cap are measured against. */
  readonly elapsedSeconds: number;
  readonly rtoMissed: boolean;
  /** How long the state machine waits before asking again. */
  readonly nextPollSeconds: number;
  readonly laggards: Laggard[];
}

/**
 * Bounded backoff for readiness polls: a quarter of the time waited so far, between 5 s and 60 s,
 * so a fast tier is seen quickly and a slow RDS restore is not asked every few seconds for an hour.
 */
export function nextPollSeconds(waitedSeconds: number): number {
  return Math.min(60, Math.max(5, Math.round(waitedSeconds / 4)));
}

const listed = (laggards: readonly Laggard[]) =>
  laggards
    .slice(0, 10)
    .map((l) => `${l.id} (${l.state})`)
    .join(', ');

export function makeCheckTierReadyHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<CheckTierReadyResult> => {
    const { run, tier } = parseTaskInput(eventSchema, event, 'check-tier-ready');
    const ctx = taskContext(deps);
    const key = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.tierInventory(tier.index));
    const inventory = await ctx.artifacts.getJson<TierInventory>(key);
    const readiness = await assessTier(ctx.clients, inventory.region, inventory.resources);
    const now = ctx.now();
    const seconds = (from: string) => Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 1000));
    const waitedSeconds = seconds(inventory.startedAt);
    const elapsedSeconds = seconds(run.startedAt);
    if (readiness.broken.length > 0) {
      await ctx.artifacts.putJson(key, { ...inventory, resources: readiness.resources });
      throw new ValidationFailedError(
        `tier ${tier.name}: ${readiness.broken.length} resource(s) can never become ready: ${listed(readiness.broken)}`,
        { broken: readiness.broken.slice(0, 50) },
      );
    }
    const decision = decideTierWait({
      ready: readiness.ready,
      elapsedSeconds,
      rtoSeconds: tier.rtoSeconds,
      recoveryCapSeconds: tier.recoveryCapSeconds,
      rtoMissRecorded: inventory.rtoMissed !== undefined,
    });
    const rtoMissed =
      inventory.rtoMissed ??
      (decision.kind === 'ready' || (decision.kind === 'wait' && !decision.rtoMissedNow)
        ? undefined
        : {
            at: now.toISOString(),
            elapsedSeconds,
            laggardCount: readiness.laggards.length,
            laggards: readiness.laggards.slice(0, 50),
          });
    await ctx.artifacts.putJson(key, {
      ...inventory,
      resources: readiness.resources,
      ...(readiness.ready ? { readyAt: inventory.readyAt ?? now.toISOString() } : {}),
      ...(rtoMissed ? { rtoMissed } : {}),
    } satisfies TierInventory);
    if (decision.kind === 'wait' && decision.rtoMissedNow)
      logger.warn('tier missed its RTO; recovery goes on', {
        tier: tier.name,
        rtoSeconds: tier.rtoSeconds,
        recoveryCapSeconds: tier.recoveryCapSeconds,
        laggards: readiness.laggards.slice(0, 20),
      });
    if (decision.kind === 'cap-reached') {
      throw new ReadyTimeoutError(
        `tier ${tier.name} not ready ${formatDuration(elapsedSeconds)} into the run: recovery cap ${formatDuration(tier.recoveryCapSeconds)} reached (RTO ${formatDuration(tier.rtoSeconds)} missed); still waiting for ${readiness.laggards.length} resource(s): ${listed(readiness.laggards)}`,
        {
          recoveryCapSeconds: tier.recoveryCapSeconds,
          rtoSeconds: tier.rtoSeconds,
          laggards: readiness.laggards.slice(0, 50),
        },
      );
    }
    return {
      ready: readiness.ready,
      waitedSeconds,
      elapsedSeconds,
      rtoMissed: rtoMissed !== undefined,
      nextPollSeconds: nextPollSeconds(waitedSeconds),
      laggards: readiness.laggards.slice(0, 20),
    };
  };
}

export const handler = makeCheckTierReadyHandler();
