/**
 * Last failover state: writes the outcome (inventory, DNS keys, achieved RTO/RPO) to the bucket
 * and the state table, releases the lock as FAILED_OVER, and tells the topic.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { episodeSnapshotKey } from '../failover/dns-snapshot';
import { FAILOVER_ARTIFACTS, type FailoverRun, failoverRunSchema } from '../failover/failover-run';
import {
  associationLines,
  episodeZoneAssociationsKey,
  type PrivateZoneAssociations,
} from '../failover/private-zone-associations';
import type { RtoMiss } from '../failover/recovered-resource';
import { measureRecovery } from '../failover/recovery-metrics';
import type { RecoverySelection } from '../failover/recovery-selection';
import { readTierInventories } from '../failover/run-inventory';
import { summarizeHooks } from '../hooks/hook-warnings';
import { notify, warningLines, withWarnings } from '../notify/notify';
import { formatDuration } from '../plan/duration';
import { writeRunReport } from '../reports/write-run-report';
import { drMetrics } from '../rpo/dr-metrics';
import { logger } from '../runtime/observability';
import { type TaskContext, type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failoverRunSchema,
  dnsSync: z.object({ inSyncAt: z.string() }),
  /** The workflow's `$.hookResults`: post-failover hooks that did not pass are warnings. */
  hookResults: z.unknown().optional(),
});

export interface FailoverOutcomeSummary {
  readonly status: 'FAILED_OVER' | 'DRILL_PASSED' | 'DRILL_MISSED_TARGETS';
  readonly app: string;
  readonly runId: string;
  readonly activeRegion: string;
  readonly rtoSeconds: number;
  readonly recovered: number;
  readonly outcomeKey: string;
  readonly targetsMet: boolean;
}

export function makeRecordFailoverHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<FailoverOutcomeSummary> => {
    const { run, dnsSync, hookResults } = parseTaskInput(eventSchema, event, 'record-failover');
    const ctx = taskContext(deps);
    const { hooks, warnings } = summarizeHooks(hookResults);
    const selection = await ctx.artifacts.getJson<RecoverySelection>(
      runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection),
    );
    const inventories = await readTierInventories(ctx.artifacts, run.app, run.runId, run.tiers);
    const metrics = measureRecovery({
      startedAt: run.startedAt,
      completedAt: dnsSync.inSyncAt,
      selection,
      tierReadyAt: Object.fromEntries(inventories.map((i) => [i.tier, i.readyAt])),
      tierRtoMissed: Object.fromEntries(inventories.map((i) => [i.tier, i.rtoMissed])),
    });
    const rtoMissed = metrics.tiers.flatMap((t) =>
      t.rtoMissed
        ? [{ tier: t.tier, laggardCount: t.rtoMissed.laggardCount, laggards: t.rtoMissed.laggards }]
        : [],
    );
    const resources = inventories.flatMap((i) => i.resources);
    // Plans without private zones have no association record.
    const zoneAssociationsKey = episodeZoneAssociationsKey(run.app, run.failoverId);
    const zoneAssociations =
      await ctx.artifacts.getJsonIfExists<PrivateZoneAssociations>(zoneAssociationsKey);
    const outcomeKey = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.outcome);
    const targetsMet = metrics.tiers.every((t) => t.rtoMet && t.rpoMet);
    const status = run.drill ? (targetsMet ? 'DRILL_PASSED' : 'DRILL_MISSED_TARGETS') : 'FAILED_OVER';
    const outcome = {
      workflow: run.drill ? 'drill' : 'failover',
      status,
      app: run.app,
      runId: run.runId,
      failoverId: run.failoverId,
      reason: run.reason,
      startedAt: run.startedAt,
      completedAt: dnsSync.inSyncAt,
      sourceRegion: run.sourceRegion,
      activeRegion: run.targetRegion,
      metrics,
      inventory: resources.map((r) => ({
        kind: r.kind,
        tier: r.tier,
        role: r.role,
        source: r.source,
        recovered: r.recoveredId,
        from: r.pointId,
        created: r.created,
        // A cluster is reached by its endpoints and made of its instances: the outcome keeps them.
        ...(r.kind === 'aurora'
          ? { endpoint: r.endpoint, readerEndpoint: r.readerEndpoint, members: r.members }
          : {}),
        // A global database member was promoted, not restored: how, and whether data loss was allowed.
        ...(r.globalPromotion
          ? {
              promotedBy: r.globalPromotion.how,
              dataLossAllowed: r.globalPromotion.dataLossAllowed,
            }
          : {}),
      })),
      hooks,
      warnings,
      ...(zoneAssociations
        ? {
            privateZoneAssociations: zoneAssociations.zones.map((z) => ({
              zone: z.zone,
              id: z.id,
              region: zoneAssociations.region,
              associatedByPendulum: z.associated.map((a) => a.vpcId),
              alreadyAssociated: z.alreadyAssociated,
              ...(z.wouldAssociate.length > 0 ? { wouldAssociate: z.wouldAssociate } : {}),
            })),
          }
        : {}),
      keys: {
        ...(zoneAssociations ? { privateZoneAssociations: zoneAssociationsKey } : {}),
        dnsSnapshot: episodeSnapshotKey(run.app, run.failoverId),
        dnsCutover: runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.dnsCutover),
        recoverySelection: runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection),
        inventories: run.tiers.map((t) =>
          runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.tierInventory(t.index)),
        ),
      },
    };
    await ctx.artifacts.putJson(outcomeKey, outcome);
    await writeRunReport(
      ctx.artifacts,
      ctx.plan,
      outcomeKey,
      outcome,
      await ctx.artifacts.getJsonIfExists(outcome.keys.dnsCutover),
    );
    if (run.drill) {
      return recordDrill(ctx, run, {
        outcomeKey,
        status,
        rtoSeconds: metrics.rtoSeconds,
        targetsMet,
        recovered: resources.length,
      });
    }
    await ctx.state.updateRun(run.app, run.runId, {
      status: 'SUCCEEDED',
      completedAt: dnsSync.inSyncAt,
      rtoSeconds: metrics.rtoSeconds,
      rpoSeconds: Object.fromEntries(metrics.resources.slice(0, 200).map((r) => [r.source, r.rpoSeconds])),
      outcomeKey,
      targetsMet,
      warnings,
      ...(rtoMissed.length > 0 ? { rtoMissed } : {}),
    });
    await ctx.state.release(
      'failover',
      run.app,
      run.runId,
      'succeeded',
      {
        activeRegion: run.targetRegion,
        failoverId: run.failoverId,
        lastFailoverRunId: run.runId,
        lastFailoverAt: dnsSync.inSyncAt,
        dnsSnapshotKey: outcome.keys.dnsSnapshot,
        dnsCutoverKey: outcome.keys.dnsCutover,
        inventoryKeys: outcome.keys.inventories,
        outcomeKey,
        rtoSeconds: metrics.rtoSeconds,
      },
      ctx.now(),
    );
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: ${run.app} failed over to ${run.targetRegion}${withWarnings(warnings)}`,
      lines: [
        `${run.app} now runs in ${run.targetRegion} (run ${run.runId}).`,
        `RTO ${formatDuration(metrics.rtoSeconds)}; ${resources.length} resource(s) recovered.`,
        ...metrics.tiers.flatMap((t) => [
          `Tier ${t.tier}: RTO target ${formatDuration(t.rtoTargetSeconds)} ${t.rtoMet ? 'met' : 'MISSED'}, worst RPO ${formatDuration(t.worstRpoSeconds)} of ${formatDuration(t.rpoTargetSeconds)} ${t.rpoMet ? 'met' : 'MISSED'}.`,
          ...(t.rtoMissed ? [rtoMissLine(t.tier, t.rtoMissed)] : []),
        ]),
        ...associationLines(zoneAssociations),
        ...warningLines(warnings),
        `Fail back with the failback workflow once ${run.sourceRegion} is healthy.`,
      ],
    });
    logger.info('failover recorded', { app: run.app, rtoSeconds: metrics.rtoSeconds, targetsMet, warnings });
    return {
      status: 'FAILED_OVER' as const,
      app: run.app,
      runId: run.runId,
      activeRegion: run.targetRegion,
      rtoSeconds: metrics.rtoSeconds,
      recovered: resources.length,
      outcomeKey,
      targetsMet,
    };
  };
}

export const handler = makeRecordFailoverHandler();

/** `Tier data was still waiting at its RTO for 2 resource(s): shop-db-pf-… (creating), …; recovery went on.` */
export function rtoMissLine(tier: string, missed: RtoMiss): string {
  const shown = missed.laggards.map((l) => `${l.id} (${l.state})`).join(', ');
  const more =
    missed.laggardCount > missed.laggards.length
      ? ` and ${missed.laggardCount - missed.laggards.length} more`
      : '';
  return `Tier ${tier} was still waiting at its RTO for ${missed.laggardCount} resource(s)${shown ? `: ${shown}${more}` : ''}; recovery went on.`;
}

/**
 * A drill changes no app status: it records its evidence (measured RTO and RPO against the
 * targets), publishes the drill metrics the dashboard shows, and frees the drill lock.
 */
async function recordDrill(
  ctx: TaskContext,
  run: FailoverRun,
  result: {
    outcomeKey: string;
    status: 'DRILL_PASSED' | 'DRILL_MISSED_TARGETS' | 'FAILED_OVER';
    rtoSeconds: number;
    targetsMet: boolean;
    recovered: number;
  },
): Promise<FailoverOutcomeSummary> {
  const now = ctx.now().toISOString();
  await ctx.state.updateRun(run.app, run.runId, {
    status: result.status,
    completedAt: now,
    rtoSeconds: result.rtoSeconds,
    outcomeKey: result.outcomeKey,
    targetsMet: result.targetsMet,
  });
  await ctx.state.put({
    pk: `APP#${run.app}`,
    sk: 'LAST_DRILL',
    runId: run.runId,
    status: result.status,
    rtoSeconds: result.rtoSeconds,
    at: now,
  });
  await ctx.state.releaseDrill(run.app, run.runId);
  // Only the App dimension: the dashboard and alarms match dimensions exactly.
  const drill = drMetrics();
  drill.addDimension('App', run.app);
  drill.addMetric('DrillPassed', MetricUnit.Count, result.targetsMet ? 1 : 0);
  drill.addMetric('DrillRtoSeconds', MetricUnit.Seconds, result.rtoSeconds);
  drill.publishStoredMetrics();
  await notify(ctx.clients.sns(), ctx.config.topicArn, {
    subject: `Pendulum: drill of ${run.app} ${result.targetsMet ? 'passed' : 'missed its targets'}`,
    lines: [
      `Drill ${run.runId}: ${result.recovered} resource(s) recovered in ${run.targetRegion}, measured RTO ${formatDuration(result.rtoSeconds)}.`,
      result.targetsMet
        ? 'Every tier met its RTO and RPO.'
        : 'At least one tier missed its RTO or RPO: see the drill report.',
      'Everything the drill created is torn down next; production was not touched.',
    ],
  });
  return {
    status: result.status,
    app: run.app,
    runId: run.runId,
    activeRegion: run.sourceRegion,
    rtoSeconds: result.rtoSeconds,
    recovered: result.recovered,
    outcomeKey: result.outcomeKey,
    targetsMet: result.targetsMet,
  };
}
