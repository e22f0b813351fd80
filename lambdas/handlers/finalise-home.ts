/**
 * After the new primary is validated, before DNS moves back: promotes the home replicas, sets the
 * stale primary databases and Aurora clusters aside (`<source>-stale-<suffix>`) and gives the home
 * ones the plan's identifiers, then records the final identifiers and endpoints (a cluster's writer
 * and reader endpoints) in the home inventory. A database or cluster
 * still renaming or modifying is reported as waiting (the state machine waits `pollSeconds` and
 * calls again), until failback.syncCap, counted from the first sync-home call, runs out; a second
 * call finds the names in place and does nothing.
 */
import { z } from 'zod';
import { assertWithinCap, nextPollSeconds } from '../failback/failback-caps';
import { failbackRunSchema } from '../failback/failback-run';
import { finaliseHomeDatabases } from '../failback/home-finalise';
import { finaliseHomeClusters } from '../failback/home-finalise-clusters';
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
  /** Every home database and cluster is promoted and under its final identifier. */
  readonly finished: boolean;
  /** The first 20 reasons a database or cluster is not final yet. */
  readonly waiting: string[];
  /** How long the state machine waits before it calls again (when not finished). */
  readonly pollSeconds: number;
  /** Replicas this call promoted. */
  readonly promoted: number;
  /** Renames (stale and home databases and clusters) this call asked for. */
  readonly renamed: number;
  /** Databases and clusters finalised. */
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
    const clusters = await finaliseHomeClusters(
      ctx.clients.rds(run.targetRegion),
      run,
      resources.databases,
      episodeSuffix(run.failbackId),
    );
    const bySource = new Map(result.databases.map((d) => [d.want.source, d]));
    const clusterBySource = new Map(clusters.clusters.map((c) => [c.want.source, c]));
    const resourcesAfter = inventory.resources.map((entry): HomeInventoryEntry => {
      const cluster = entry.kind === 'aurora' && entry.source ? clusterBySource.get(entry.source) : undefined;
      if (cluster)
        return {
          ...entry,
          // Brought home by snapshot: there is no replica to promote.
          promoted: true,
          ...(cluster.staleId ? { staleId: cluster.staleId } : {}),
          ...(cluster.home
            ? {
                homeId: cluster.home.DBClusterIdentifier,
                state: cluster.home.Status ?? entry.state,
                endpoint: cluster.home.Endpoint,
                readerEndpoint: cluster.home.ReaderEndpoint,
                port: cluster.home.Port,
              }
            : {}),
        };
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
    const waiting = [...result.databases, ...clusters.clusters].flatMap((d) =>
      d.waiting ? [d.waiting] : [],
    );
    const finished = waiting.length === 0;
    const now = ctx.now().toISOString();
    await ctx.artifacts.putJson(key, {
      ...inventory,
      updatedAt: now,
      ...(finished ? { finalisedAt: inventory.finalisedAt ?? now } : {}),
      resources: resourcesAfter,
    } satisfies HomeInventory);
    const renamed = result.renamed + clusters.renamed;
    logger.info('home databases finalised', {
      promoted: result.promoted,
      renamed,
      waiting: waiting.length,
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
      renamed,
      databases: result.databases.length + clusters.clusters.length,
    };
  };
}

export const handler = makeFinaliseHomeHandler();
