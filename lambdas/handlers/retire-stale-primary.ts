/**
 * After DNS is back and the new primary passed validation: retires the stale primary resources in
 * the target region, a final AMI or DB snapshot kept of each first (never deleted unconfirmed).
 * Writes the full list to `retired-stale.json` under the run; a final copy still on its way is a
 * NotReadyError (the state machine waits and calls again).
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { failbackRunSchema } from '../failback/failback-run';
import { readResourcePlan } from '../failback/home-inventory';
import { RETIRE_ARTIFACTS, type RetirementDocument, retireResources } from '../failback/retire-resources';
import { staleDatabaseResolver } from '../failback/stale-databases';
import { episodeSuffix } from '../failover/failover-run';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { NotReadyError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface RetireStaleResult {
  /** The first 20 retired resources; the document at `key` has them all. */
  readonly retired: { kind: 'ec2' | 'rds'; id: string; finalSnapshot?: string }[];
  readonly count: number;
  readonly alreadyGone: number;
  readonly key: string;
  readonly dryRun?: true;
}

export function makeRetireStalePrimaryHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<RetireStaleResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'retire-stale-primary');
    const ctx = taskContext(deps);
    const resources = await readResourcePlan(ctx.artifacts, run);
    const key = runArtifactKey(run.app, run.runId, RETIRE_ARTIFACTS.stale);
    if (run.dryRun) return { retired: [], count: 0, alreadyGone: 0, key, dryRun: true };
    const suffix = episodeSuffix(run.failbackId);
    const entries = await retireResources({
      clients: ctx.clients,
      run,
      region: run.targetRegion,
      suffix,
      targets: resources.stale,
      resolveDatabases: staleDatabaseResolver(suffix, run.failbackId),
    });
    const pending = entries.filter((e) => e.outcome === 'pending');
    await ctx.artifacts.putJson(key, {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      region: run.targetRegion,
      at: ctx.now().toISOString(),
      complete: pending.length === 0,
      retired: entries,
    } satisfies RetirementDocument);
    const retired = entries.filter((e) => e.outcome === 'retired');
    logger.info('stale primary retired', { retired: retired.length, pending: pending.length });
    if (pending.length > 0)
      throw new NotReadyError(
        `${pending.length} stale resource(s) wait for their final copy: ${pending
          .slice(0, 10)
          .map((p) => p.reason ?? p.id)
          .join('; ')}`,
        { pending: pending.slice(0, 50).map((p) => ({ id: p.id, reason: p.reason })) },
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
    };
  };
}

export const handler = makeRetireStalePrimaryHandler();
