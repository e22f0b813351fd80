/**
 * After DNS is back and the new primary passed validation: retires the stale primary resources in
 * the target region, a final AMI, DB snapshot or DB cluster snapshot kept of each first (never
 * deleted unconfirmed); a cluster's instances go first, each marked stale by finalise-home.
 * Writes the full list to `retired-stale.json` under the run; a final copy still on its way is a
 * pending: the state machine waits `pollSeconds` and calls again, until failback.retireCap runs out.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { assertRetiredWithinCap, nextPollSeconds } from '../failback/failback-caps';
import { failbackRunSchema } from '../failback/failback-run';
import { readResourcePlan } from '../failback/home-inventory';
import { staleClusterRetirement } from '../failback/retire-clusters';
import { RETIRE_ARTIFACTS, type RetirementDocument, retireResources } from '../failback/retire-resources';
import { staleDatabaseResolver } from '../failback/stale-databases';
import { episodeSuffix } from '../failover/failover-run';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface RetireStaleResult {
  /** The first 20 retired resources; the document at `key` has them all. */
  readonly retired: { kind: 'ec2' | 'rds' | 'aurora'; id: string; finalSnapshot?: string }[];
  readonly count: number;
  readonly alreadyGone: number;
  readonly key: string;
  /** Nothing is pending any more. */
  readonly complete: boolean;
  /** The first 20 resources whose final copy is on its way, and why. */
  readonly pending: { id: string; reason?: string }[];
  /** How long the state machine waits before it calls again (when not complete). */
  readonly pollSeconds: number;
  readonly dryRun?: true;
}

export function makeRetireStalePrimaryHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<RetireStaleResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'retire-stale-primary');
    const ctx = taskContext(deps);
    const resources = await readResourcePlan(ctx.artifacts, run);
    const key = runArtifactKey(run.app, run.runId, RETIRE_ARTIFACTS.stale);
    if (run.dryRun)
      return {
        retired: [],
        count: 0,
        alreadyGone: 0,
        key,
        complete: true,
        pending: [],
        pollSeconds: 0,
        dryRun: true,
      };
    const previous = await ctx.artifacts.getJsonIfExists<RetirementDocument>(key);
    const suffix = episodeSuffix(run.failbackId);
    const entries = await retireResources({
      clients: ctx.clients,
      run,
      region: run.targetRegion,
      suffix,
      targets: resources.stale,
      resolveDatabases: staleDatabaseResolver(suffix, run.failbackId),
      clusters: staleClusterRetirement(run.app, suffix, run.failbackId),
    });
    const pending = entries.filter((e) => e.outcome === 'pending');
    const now = ctx.now();
    const startedAt = previous?.startedAt ?? now.toISOString();
    await ctx.artifacts.putJson(key, {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      region: run.targetRegion,
      startedAt,
      at: now.toISOString(),
      complete: pending.length === 0,
      retired: entries,
    } satisfies RetirementDocument);
    const retired = entries.filter((e) => e.outcome === 'retired');
    logger.info('stale primary retired', { retired: retired.length, pending: pending.length });
    const waitedSeconds = assertRetiredWithinCap(
      `retiring the stale primary in ${run.targetRegion}`,
      run.caps.retireSeconds,
      startedAt,
      now,
      pending,
    );
    return {
      retired: retired.slice(0, 20).map((e) => ({
        kind: e.kind,
        id: e.id,
        ...(e.finalSnapshot ? { finalSnapshot: e.finalSnapshot } : {}),
      })),
      count: retired.length,
      alreadyGone: entries.filter((e) => e.outcome === 'already-gone').length,
      key,
      complete: pending.length === 0,
      pending: pending.slice(0, 20).map((p) => ({ id: p.id, ...(p.reason ? { reason: p.reason } : {}) })),
      pollSeconds: nextPollSeconds(waitedSeconds),
    };
  };
}

export const handler = makeRetireStalePrimaryHandler();
