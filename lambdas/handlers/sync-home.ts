/**
 * Brings the new primary up in the target region from the recovery-region copies, and says whether
 * it is ready. Two phases, each called in a poll loop (SyncHome → Ready? → Wait → SyncHome):
 *
 * - `home`, before the write freeze: instances from images of the recovery instances, and the
 *   `replica` databases as cross-region read replicas (they keep following the recovery database);
 * - `final`, after the freeze held: the `snapshot` databases and the Aurora clusters, from a
 *   snapshot taken now, so it holds every write the recovery database took; and the Aurora global
 *   database members, switched back to their home member.
 *
 * Each call advances what it can, then assesses its phase's resources with one describe per service
 * and writes the home inventory. Never makes anything twice. Each entry says what its copy carried
 * (`leftToCopy`): only the changes since the newest reverse point protection copied into the target
 * region while failed over, or everything when there is none.
 */
import { z } from 'zod';
import { keyResolver } from '../encryption/key-resolver';
import { planResourceOf } from '../encryption/resource-of-role';
import { assertWithinCap, nextPollSeconds } from '../failback/failback-caps';
import { type FailbackRun, failbackRunSchema, type HomeDatabase } from '../failback/failback-run';
import { advanceHomeClusters, clusterEntry } from '../failback/home-clusters';
import { advanceHomeDatabases, databaseEntry, type FinalSync } from '../failback/home-databases';
import { advanceHomeInstances, type HomeContext } from '../failback/home-instances';
import {
  type HomeInventory,
  type HomeInventoryEntry,
  homeInventoryKey,
  readResourcePlan,
} from '../failback/home-inventory';
import { assessHome, type Laggard } from '../failback/home-readiness';
import { advanceSwitchBacks } from '../failback/home-switchover';
import { leftToCopy, newestReverseDbPoints } from '../failback/reverse-points';
import { activeFreeze, readWriteFreeze } from '../failback/write-freeze';
import { episodeSuffix } from '../failover/failover-run';
import { roleSelectors } from '../recovery-points/selectable-sources';
import { logger } from '../runtime/observability';
import { type TaskContext, type TaskDeps, taskContext } from '../runtime/task-context';
import { InvalidInputError, ValidationFailedError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failbackRunSchema,
  /** @default home */
  phase: z.enum(['home', 'final']).default('home'),
});

export interface SyncHomeResult {
  readonly ready: boolean;
  readonly waitedSeconds: number;
  /** How long the state machine waits before it calls again (when not ready). */
  readonly pollSeconds: number;
  /** The first 20 resources not ready yet. */
  readonly laggards: Laggard[];
  /** Resources this call created. */
  readonly created: number;
  /** Resources found already made by an earlier call of this failback. */
  readonly reused: number;
  readonly total: number;
  readonly inventoryKey: string;
  /**
   * What the copies into the target region carry: how many build on a reverse point (only the
   * changes since it travel) and how many are full; the oldest such change start.
   */
  readonly leftToCopy: LeftToCopySummary;
  readonly dryRun?: true;
}

export function makeSyncHomeHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<SyncHomeResult> => {
    const { run, phase } = parseTaskInput(eventSchema, event, 'sync-home');
    const ctx = taskContext(deps);
    const resources = await readResourcePlan(ctx.artifacts, run);
    const inventoryKey = homeInventoryKey(run);
    const total = resources.instances.length + resources.databases.length;
    if (run.dryRun)
      return {
        ready: true,
        waitedSeconds: 0,
        pollSeconds: 0,
        laggards: [],
        created: 0,
        reused: 0,
        total,
        inventoryKey,
        leftToCopy: summariseLeftToCopy([]),
        dryRun: true,
      };

    const previous = await ctx.artifacts.getJsonIfExists<HomeInventory>(inventoryKey);
    const startedAt = previous?.startedAt ?? ctx.now().toISOString();
    const { plan } = ctx;
    const keys = keyResolver(plan, (region) => ctx.clients.kms(region));
    const hc: HomeContext = {
      clients: ctx.clients,
      run,
      resources,
      suffix: episodeSuffix(run.failbackId),
      now: ctx.now,
      copyKey: (place, service, encryption) =>
        keys.copyKey({
          resource: planResourceOf(plan, place.role, place.tier),
          service,
          source: encryption,
          sourceRegion: run.sourceRegion,
          destinationRegion: run.targetRegion,
        }),
      selectors: roleSelectors(ctx.plan),
    };
    const final = phase === 'final' ? await finalSyncAfterFreeze(ctx, run) : undefined;
    const none = { entries: [], created: 0, reused: 0, problems: [] };
    const [databases, clusters, switchBacks, instances, dbPoints] = await Promise.all([
      advanceHomeDatabases(hc, final),
      final ? advanceHomeClusters(hc, final) : none,
      final ? advanceSwitchBacks(hc) : none,
      final ? none : advanceHomeInstances(hc),
      // The reverse DB snapshots a final snapshot's copy builds on (one describe).
      final
        ? newestReverseDbPoints(
            ctx.clients.rds(run.targetRegion),
            run.app,
            resources.databases
              .filter((d) => d.strategy === 'snapshot' && d.kind !== 'aurora')
              .map((d) => d.recoveryId),
          )
        : new Map(),
    ]);
    // A replica streams its changes: only a snapshot sync copies a snapshot.
    // A cluster's copy builds on no reverse point: reverse protection keeps cluster points in the
    // recovery region, and Pendulum copies a cluster home whole.
    const dbLeft = (entry: HomeInventoryEntry): HomeInventoryEntry =>
      entry.kind !== 'ec2' && entry.strategy === 'snapshot' && !entry.leftToCopy
        ? { ...entry, leftToCopy: leftToCopy(dbPoints.get(entry.recoveryId), ctx.now(), run.targetRegion) }
        : entry;
    const readiness = await assessHome(
      ctx.clients,
      run.targetRegion,
      [
        ...databases.entries.map(dbLeft),
        ...clusters.entries.map(dbLeft),
        ...switchBacks.entries,
        ...instances.entries,
      ],
      [...databases.problems, ...clusters.problems, ...switchBacks.problems, ...instances.problems],
    );
    const now = ctx.now();
    const inventory: HomeInventory = {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      region: run.targetRegion,
      recoveryRegion: run.sourceRegion,
      startedAt,
      updatedAt: now.toISOString(),
      ...(readiness.ready ? { readyAt: previous?.readyAt ?? now.toISOString() } : {}),
      ...(previous?.finalisedAt ? { finalisedAt: previous.finalisedAt } : {}),
      resources: mergeEntries(previous?.resources ?? [], readiness.entries, resources.databases),
    };
    await ctx.artifacts.putJson(inventoryKey, inventory);
    const created = databases.created + clusters.created + instances.created;
    const reused = databases.reused + clusters.reused + switchBacks.reused + instances.reused;
    logger.info('home sync', {
      ready: readiness.ready,
      total,
      created,
      reused,
      laggards: readiness.laggards.length,
    });

    if (readiness.broken.length > 0)
      throw new ValidationFailedError(
        `${readiness.broken.length} resource(s) cannot come home to ${run.targetRegion}: ${readiness.broken
          .slice(0, 10)
          .map((b) => b.reason)
          .join('; ')}`,
        { broken: readiness.broken.slice(0, 50) },
      );
    // Failback's own cap, not an RTO: copies and restores take hours (see failback-caps).
    const waitedSeconds = assertWithinCap({
      what: `the new primary in ${run.targetRegion}`,
      capName: 'failback.syncCap',
      capSeconds: run.caps.syncSeconds,
      startedAt,
      now,
      pending: readiness.laggards.map((l) => `${l.id} (${l.state})`),
    });
    return {
      ready: readiness.ready,
      waitedSeconds,
      pollSeconds: nextPollSeconds(waitedSeconds),
      laggards: readiness.laggards.slice(0, 20),
      created,
      reused,
      total,
      inventoryKey,
      leftToCopy: summariseLeftToCopy(inventory.resources),
    };
  };
}

export interface LeftToCopySummary {
  /** Copies that build on a reverse point: only the changes since it travel. */
  readonly incremental: number;
  /** Copies with no reverse point in the target region: everything travels. */
  readonly full: number;
  /** The oldest reverse point built on: the longest stretch of changes a copy carries. */
  readonly oldestBuildsOn?: { readonly id: string; readonly takenAt: string };
}

function summariseLeftToCopy(entries: readonly HomeInventoryEntry[]): LeftToCopySummary {
  let incremental = 0;
  let full = 0;
  let oldest: { id: string; takenAt: string } | undefined;
  for (const entry of entries) {
    const left = entry.leftToCopy;
    if (!left) continue;
    if (left.copy === 'full') full++;
    else incremental++;
    if (left.buildsOn && (!oldest || Date.parse(left.buildsOn.takenAt) < Date.parse(oldest.takenAt)))
      oldest = left.buildsOn;
  }
  return { incremental, full, ...(oldest ? { oldestBuildsOn: oldest } : {}) };
}

/**
 * The inventory after a call: this phase's entries refreshed, the other phase's kept, and the
 * `snapshot` databases shown as waiting for the freeze until their final sync. What finalise-home
 * recorded survives a later sync.
 */
function mergeEntries(
  previous: readonly HomeInventoryEntry[],
  now: readonly HomeInventoryEntry[],
  databases: readonly HomeDatabase[],
): HomeInventoryEntry[] {
  const same = (a: HomeInventoryEntry, b: HomeInventoryEntry) =>
    a.kind === b.kind && a.recoveryId === b.recoveryId;
  const kept = previous.filter((p) => !now.some((n) => same(n, p)));
  const awaiting = databases
    .filter(
      (d) => ![...kept, ...now].some((e) => e.kind === (d.kind ?? 'rds') && e.recoveryId === d.recoveryId),
    )
    .map((d) =>
      d.kind === 'aurora'
        ? clusterEntry(d, undefined, { runId: '' }, { state: 'awaiting-freeze' })
        : databaseEntry(d, undefined, { runId: '' }, { state: 'awaiting-freeze' }),
    );
  return [
    ...kept,
    ...now.map((entry) => {
      const before = previous.find((p) => same(p, entry));
      return {
        ...entry,
        ...(before?.promoted !== undefined ? { promoted: before.promoted } : {}),
        ...(before?.staleId !== undefined ? { staleId: before.staleId } : {}),
        ...(before?.syncPointAt !== undefined && entry.syncPointAt === undefined
          ? { syncPointAt: before.syncPointAt }
          : {}),
      };
    }),
    ...awaiting,
  ];
}

/** The final sync starts only after the freeze held; with freeze `none`, when it was asked for. */
async function finalSyncAfterFreeze(ctx: TaskContext, run: FailbackRun): Promise<FinalSync> {
  const freeze = activeFreeze(await readWriteFreeze(ctx.artifacts, run.app, run.failbackId));
  const after = freeze?.frozenAt ?? (freeze?.mode === 'none' ? freeze.requestedAt : undefined);
  if (!after)
    throw new InvalidInputError(
      `failback ${run.failbackId} has no write freeze in force: the final sync starts only after one held`,
    );
  return { after };
}

export const handler = makeSyncHomeHandler();
