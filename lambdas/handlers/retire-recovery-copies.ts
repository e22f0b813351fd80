/**
 * After the soak time: retires what failover made in the recovery region (the instances,
 * databases and Aurora clusters production ran on while failed over), a final AMI, DB snapshot or
 * DB cluster snapshot kept there of each first (never deleted unconfirmed). Writes the full list
 * to `retired-recovery.json` under the run; a final copy still on its way is a NotReadyError (the
 * state machine waits and calls again).
 */
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { assertRetiredWithinCap, nextPollSeconds } from '../failback/failback-caps';
import { failbackRunSchema } from '../failback/failback-run';
import { type HomeInventory, homeInventoryKey, readResourcePlan } from '../failback/home-inventory';
import { recoveryClusterRetirement } from '../failback/retire-clusters';
import {
  RETIRE_ARTIFACTS,
  type ResolvedDatabase,
  type RetirementDocument,
  type RetireTarget,
  retireResources,
} from '../failback/retire-resources';
import { episodeSuffix } from '../failover/failover-run';
import { describeDbInstances } from '../failover/rds-recovery';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { ValidationFailedError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface RetireRecoveryResult {
  readonly retired: number;
  /** The first 20 final AMI ids, DB and DB cluster snapshot identifiers kept in the recovery region. */
  readonly finalSnapshots: string[];
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

async function recoveryDatabases(
  rds: RDSClient,
  targets: readonly RetireTarget[],
): Promise<Map<string, ResolvedDatabase>> {
  const found =
    targets.length > 0
      ? await describeDbInstances(
          rds,
          targets.map((t) => t.id),
        )
      : new Map<string, DBInstance>();
  return new Map(
    targets.map((t) => {
      const db = found.get(t.id);
      return [t.id, { name: t.id, ...(db ? { db } : {}) }];
    }),
  );
}

export function makeRetireRecoveryCopiesHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<RetireRecoveryResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'retire-recovery-copies');
    const ctx = taskContext(deps);
    const resources = await readResourcePlan(ctx.artifacts, run);
    const key = runArtifactKey(run.app, run.runId, RETIRE_ARTIFACTS.recovery);
    if (run.dryRun)
      return {
        retired: 0,
        finalSnapshots: [],
        alreadyGone: 0,
        key,
        complete: true,
        pending: [],
        pollSeconds: 0,
        dryRun: true,
      };

    // A recovery database still feeding a home replica that was never promoted is the home
    // database's only source: retiring it would cut the new primary off.
    const inventory = await ctx.artifacts.getJsonIfExists<HomeInventory>(homeInventoryKey(run));
    const feeding = (inventory?.resources ?? []).filter(
      (r) =>
        r.kind === 'rds' &&
        r.strategy === 'replica' &&
        r.promoted !== true &&
        resources.retire.some((t) => t.kind === 'rds' && t.id === r.recoveryId),
    );
    if (feeding.length > 0)
      throw new ValidationFailedError(
        `recovery database(s) ${feeding.map((r) => r.recoveryId).join(', ')} still feed home replicas that finalise-home has not promoted: nothing was retired`,
        { databases: feeding.map((r) => r.recoveryId) },
      );

    const previous = await ctx.artifacts.getJsonIfExists<RetirementDocument>(key);
    const entries = await retireResources({
      clients: ctx.clients,
      run,
      region: run.sourceRegion,
      suffix: episodeSuffix(run.failbackId),
      targets: resources.retire,
      resolveDatabases: recoveryDatabases,
      clusters: recoveryClusterRetirement(run.app),
    });
    const pending = entries.filter((e) => e.outcome === 'pending');
    const now = ctx.now();
    const startedAt = previous?.startedAt ?? now.toISOString();
    await ctx.artifacts.putJson(key, {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      region: run.sourceRegion,
      startedAt,
      at: now.toISOString(),
      complete: pending.length === 0,
      retired: entries,
    } satisfies RetirementDocument);
    const retired = entries.filter((e) => e.outcome === 'retired');
    logger.info('recovery copies retired', { retired: retired.length, pending: pending.length });
    const waitedSeconds = assertRetiredWithinCap(
      `retiring the recovery copies in ${run.sourceRegion}`,
      run.caps.retireSeconds,
      startedAt,
      now,
      pending,
    );
    return {
      retired: retired.length,
      finalSnapshots: retired.flatMap((e) => (e.finalSnapshot ? [e.finalSnapshot] : [])).slice(0, 20),
      alreadyGone: entries.filter((e) => e.outcome === 'already-gone').length,
      key,
      complete: pending.length === 0,
      pending: pending.slice(0, 20).map((p) => ({ id: p.id, ...(p.reason ? { reason: p.reason } : {}) })),
      pollSeconds: nextPollSeconds(waitedSeconds),
    };
  };
}

export const handler = makeRetireRecoveryCopiesHandler();
