/**
 * After the new primary is validated, before DNS moves back: promotes the home replicas, sets the
 * stale primary databases aside (`<source>-stale-<suffix>`) and gives the home databases the plan's
 * identifiers, then records the final identifiers and endpoints in the home inventory. A database
 * still renaming or modifying is reported as waiting (the state machine waits `pollSeconds` and
 * calls again), until failback.syncCap, counted from the first sync-home call, runs out; a second
 * call finds the names in place and does nothing.
 */
import { z } from 'zod';
import { assertWithinCap, nextPollSeconds } from '../failback/failback-caps';
import { failbackRunSchema } from '../failback/failback-run';
import { finaliseHomeDatabases } from '../failback/home-finalise';
import {
  type HomeInventory,
  type HomeInventoryEntry,
  homeInventoryKey,
  readResourcePlan,
} from '../failback/home-inventory';
import { latestReplicaLag } from '../failback/replica-lag';
import { activeFreeze, readWriteFreeze } from '../failback/write-freeze';
import { episodeSuffix } from '../failover/failover-run';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { InvalidInputError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface FinaliseHomeResult {
  /** Every home database is promoted and under its final identifier. */
  readonly finished: boolean;
  /** The first 20 reasons a database is not final yet. */
  readonly waiting: string[];
  /** How long the state machine waits before it calls again (when not finished). */
  readonly pollSeconds: number;
  /** Replicas this call promoted. */
  readonly promoted: number;
  /** Renames (stale and home databases) this call asked for. */
  readonly renamed: number;
  readonly databases: number;
  readonly dryRun?: true;
}

export function makeFinaliseHomeHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<FinaliseHomeResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'finalise-home');
    const ctx = taskContext(deps);
    const resources = await readResourcePlan(ctx.artifacts, run);
    if (run.dryRun)
      return {
        finished: true,
        waiting: [],
        pollSeconds: 0,
        promoted: 0,
        renamed: 0,
        databases: resources.databases.length,
        dryRun: true,
      };
    const key = homeInventoryKey(run);
    const inventory = await ctx.artifacts.getJsonIfExists<HomeInventory>(key);
    if (!inventory)
      throw new InvalidInputError(`run ${run.runId} has no home inventory: sync-home has not run`);

    const freeze = activeFreeze(await readWriteFreeze(ctx.artifacts, run.app, run.failbackId));
    if (!freeze)
      throw new InvalidInputError(
        `failback ${run.failbackId} has no write freeze in force: the home databases are finalised only after it`,
      );
    const result = await finaliseHomeDatabases(
      ctx.clients.rds(run.targetRegion),
      run,
      resources.databases,
      episodeSuffix(run.failbackId),
      (identifier) => latestReplicaLag(ctx.clients.cloudWatch(run.targetRegion), identifier, ctx.now()),
      freeze.frozenAt ? new Date(freeze.frozenAt) : undefined,
      () => ctx.now(),
    );
    const bySource = new Map(result.databases.map((d) => [d.want.source, d]));
    const resourcesAfter = inventory.resources.map((entry): HomeInventoryEntry => {
      const done = entry.kind === 'rds' && entry.source ? bySource.get(entry.source) : undefined;
      if (!done) return entry;
      return {
        ...entry,
        promoted: done.promoted,
        ...(done.staleId ? { staleId: done.staleId } : {}),
        ...(done.syncPointAt ? { syncPointAt: done.syncPointAt } : {}),
        ...(done.home
          ? {
              homeId: done.home.DBInstanceIdentifier,
              state: done.home.DBInstanceStatus ?? entry.state,
              endpoint: done.home.Endpoint?.Address,
              port: done.home.Endpoint?.Port,
            }
          : {}),
      };
    });
    const waiting = result.databases.flatMap((d) => (d.waiting ? [d.waiting] : []));
    const finished = waiting.length === 0;
    const now = ctx.now().toISOString();
    await ctx.artifacts.putJson(key, {
      ...inventory,
      updatedAt: now,
      ...(finished ? { finalisedAt: inventory.finalisedAt ?? now } : {}),
      resources: resourcesAfter,
    } satisfies HomeInventory);
    logger.info('home databases finalised', {
      promoted: result.promoted,
      renamed: result.renamed,
      waiting: result.databases.filter((d) => d.waiting).length,
    });
    // Promotion waits for a replica to catch up: part of bringing data home, so the sync cap.
    const waitedSeconds = assertWithinCap({
      what: `the home databases in ${run.targetRegion}`,
      capName: 'failback.syncCap',
      capSeconds: run.caps.syncSeconds,
      startedAt: inventory.startedAt,
      now: ctx.now(),
      pending: waiting,
    });
    return {
      finished,
      waiting: waiting.slice(0, 20),
      pollSeconds: nextPollSeconds(waitedSeconds),
      promoted: result.promoted,
      renamed: result.renamed,
      databases: result.databases.length,
    };
  };
}

export const handler = makeFinaliseHomeHandler();
