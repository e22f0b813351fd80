/**
 * Moves the managed records: the stateful (data) records home at the data cutover (`move: data`),
 * the stateless records to the maintenance target during a maintenance freeze (`move:
 * maintenance`), and the stateless records home at once (cutover) or to the next weight of a staged
 * failback. The first call plans the shift from the three-way merge with the new primary's real
 * addresses and keeps that plan for every later step, rollback and re-run of the same failback.
 *
 * Order is enforced here too, not only by the state machine: no stateless record moves home before
 * the data records did, so the home application never writes to the recovery database's region
 * while a second writable copy could exist.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { normaliseDnsName } from '../dns/dns-name';
import { managedRecordKey } from '../dns/record-key';
import { moveDnsShift } from '../failback/apply-dns-shift';
import { type DnsShiftState, readDnsShift } from '../failback/dns-shift-state';
import { placeholderTargets, planZoneFailback } from '../failback/failback-dns';
import { FAILBACK_ARTIFACTS, type FailbackRun, failbackRunSchema } from '../failback/failback-run';
import { readZones } from '../failback/gather-failback-state';
import { type HomeResourceEntry, homeTargets } from '../failback/home-targets';
import type { RecordTargets } from '../failover/record-targets';
import { freezeModeOf } from '../plan/failback-freeze';
import type { Plan } from '../plan/plan-schema';
import { logger } from '../runtime/observability';
import { type TaskContext, type TaskDeps, taskContext } from '../runtime/task-context';
import { InvalidInputError, ReconcileConflictError, ValidationFailedError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failbackRunSchema,
  /** Staged: the index of the step in run.steps to move to; absent for a cutover. */
  step: z.number().int().min(0).optional(),
  /** `data`: the data cutover; `maintenance`: the stateless records to the maintenance target. */
  move: z.enum(['data', 'maintenance']).optional(),
});

async function planShift(ctx: TaskContext, run: z.infer<typeof failbackRunSchema>): Promise<DnsShiftState> {
  const app = await ctx.state.getApp(run.app, ctx.plan.primaryRegion);
  const zones = await readZones(ctx.clients, ctx.artifacts, ctx.plan, {
    outcomeKey: String(app.outcomeKey),
    dnsSnapshotKey: String(app.dnsSnapshotKey),
    dnsCutoverKey: String(app.dnsCutoverKey),
  });
  const home = await ctx.artifacts.getJson<{ resources: HomeResourceEntry[] }>(
    runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.homeInventory),
  );
  const maintenance = freezeModeOf(ctx.plan) === 'maintenance' ? ctx.plan.failback.maintenance : undefined;
  const planned = zones.map((zone) => ({
    zone,
    plan: planZoneFailback({
      ...(maintenance ? { maintenance } : {}),
      zonePlan: zone.plan,
      zoneName: zone.name,
      targetRegion: run.targetRegion,
      targets: withPendingDatabases(
        homeTargets(home.resources, zone.plan.private),
        ctx.plan,
        run.targetRegion,
      ),
      base: zone.base,
      cutover: zone.cutover,
      now: zone.now,
      prefer: run.prefer,
    }),
  }));
  const unresolved = planned.flatMap((p) =>
    p.plan.merge.conflicts.filter((c) => c.resolution === 'unresolved').map((c) => c.key),
  );
  if (unresolved.length > 0) {
    throw new ReconcileConflictError(
      `managed records changed by hand since reconciliation: ${unresolved.slice(0, 10).join(', ')}; DNS was not moved`,
    );
  }
  return {
    failbackId: run.failbackId,
    zones: planned.map((p) => ({ id: p.zone.id, name: p.zone.name, records: p.plan.shift })),
    applied: null,
    lastGood: null,
    history: [],
  };
}

/**
 * A shift planned before the final sync (a maintenance freeze moves first) cannot know the endpoint
 * of a home database restored after the freeze: it stands as a placeholder until the data cutover.
 */
function withPendingDatabases(targets: RecordTargets, plan: Plan, region: string): RecordTargets {
  const clusters = plan.tiers.flatMap((t) =>
    t.resources.flatMap((r) => ('aurora' in r ? [r.aurora.clusterIdentifier] : [])),
  );
  const pending = placeholderTargets([], [...planDatabaseIds(plan), ...clusters], region, clusters);
  return {
    ...targets,
    databaseEndpoints: { ...pending.databaseEndpoints, ...targets.databaseEndpoints },
    readerEndpoints: { ...pending.readerEndpoints, ...targets.readerEndpoints },
  };
}

function planDatabaseIds(plan: Plan): string[] {
  return plan.tiers.flatMap((t) => t.resources.flatMap((r) => ('rds' in r ? [r.rds.identifier] : [])));
}

/** At the data cutover: the database records take the finalised home endpoints. */
async function pointDataRecordsHome(ctx: TaskContext, run: FailbackRun, state: DnsShiftState): Promise<void> {
  const home = await ctx.artifacts.getJson<{ resources: HomeResourceEntry[] }>(
    runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.homeInventory),
  );
  const { databaseEndpoints, readerEndpoints } = homeTargets(home.resources, false);
  for (const zone of state.zones) {
    // A public and a private zone may share the name; a database record names the same endpoint in both.
    const planned = ctx.plan.dns.zones.filter(
      (z) => normaliseDnsName(z.name) === normaliseDnsName(zone.name),
    );
    zone.records = zone.records.map((record) => {
      const managed = planned
        .flatMap((z) => z.records)
        .find((r) => (managedRecordKey(r) as string) === record.key);
      if (!managed || !('database' in managed.target)) return record;
      // A cluster's reader record takes its reader endpoint, every other its (writer) endpoint.
      const endpoint =
        managed.target.endpoint === 'reader'
          ? readerEndpoints?.[managed.target.database]
          : databaseEndpoints[managed.target.database];
      if (!endpoint)
        throw new ValidationFailedError(
          `no home endpoint for ${managed.target.database} yet: the data records cannot move home; DNS was not moved`,
        );
      return { ...record, desired: { ...record.desired, ResourceRecords: [{ Value: endpoint }] } };
    });
  }
}

export function makeShiftDnsHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, step, move } = parseTaskInput(eventSchema, event, 'shift-dns');
    const weight = step === undefined ? undefined : run.steps[step];
    if (step !== undefined && weight === undefined) {
      throw new InvalidInputError(`step ${step} is beyond the failback's steps ${run.steps.join(', ')}`);
    }
    const ctx = taskContext(deps);
    const state = (await readDnsShift(ctx.artifacts, run.app, run.failbackId)) ?? (await planShift(ctx, run));
    const route53 = ctx.clients.route53();
    const at = `(run ${run.runId})`;
    if (move === 'data') await pointDataRecordsHome(ctx, run, state);
    if (move === 'data' || move === 'maintenance') {
      const moved =
        move === 'data'
          ? await moveDnsShift(
              route53,
              ctx.artifacts,
              run.app,
              state,
              { dataMoved: true },
              'data',
              `Pendulum failback of ${run.app}: data records to ${run.targetRegion} ${at}`,
              ctx.now(),
            )
          : await moveDnsShift(
              route53,
              ctx.artifacts,
              run.app,
              state,
              { maintenance: true },
              'maintenance',
              `Pendulum failback of ${run.app}: stateless records to maintenance during the write freeze ${at}`,
              ctx.now(),
            );
      logger.info('dns moved', { move, changes: moved.changes });
      return { move, changes: moved.changes, changeIds: moved.changeIds, next: 0, done: false };
    }
    if (!state.dataMoved && state.zones.some((z) => z.records.some((r) => r.stateful)))
      throw new ValidationFailedError(
        'the data records have not moved home yet: stateless records follow the data cutover, never precede it; DNS was not moved',
      );
    const to = run.strategy === 'cutover' || weight === undefined ? 100 : weight;
    // Steps run in order and each runs only after the previous step's health gate passed.
    if (state.applied !== null && state.applied < to) state.lastGood = state.applied;
    const moved = await moveDnsShift(
      route53,
      ctx.artifacts,
      run.app,
      state,
      { applied: to, maintenance: false },
      'shift',
      `Pendulum failback of ${run.app} to ${run.targetRegion}: ${to} % home ${at}`,
      ctx.now(),
    );
    logger.info('dns shifted', { weight: to, changes: moved.changes });
    const next = (step ?? 0) + 1;
    return {
      weight: to,
      changes: moved.changes,
      changeIds: moved.changeIds,
      next,
      done: run.strategy === 'cutover' || step === undefined || next >= run.steps.length,
    };
  };
}

export const handler = makeShiftDnsHandler();
