/**
 * Last failover state: writes the outcome (inventory, DNS keys, achieved RTO/RPO) to the bucket
 * and the state table, releases the lock as FAILED_OVER, and tells the topic.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { episodeSnapshotKey } from '../failover/dns-snapshot';
import { FAILOVER_ARTIFACTS, failoverRunSchema } from '../failover/failover-run';
import { measureRecovery } from '../failover/recovery-metrics';
import type { RecoverySelection } from '../failover/recovery-selection';
import { readTierInventories } from '../failover/run-inventory';
import { notify } from '../notify/notify';
import { formatDuration } from '../plan/duration';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failoverRunSchema,
  dnsSync: z.object({ inSyncAt: z.string() }),
  hooks: z.unknown().optional(),
});

export interface FailoverOutcomeSummary {
  readonly status: 'FAILED_OVER';
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
    const { run, dnsSync } = parseTaskInput(eventSchema, event, 'record-failover');
    const ctx = taskContext(deps);
    const selection = await ctx.artifacts.getJson<RecoverySelection>(
      runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection),
    );
    const inventories = await readTierInventories(ctx.artifacts, run.app, run.runId, run.tiers);
    const metrics = measureRecovery({
      startedAt: run.startedAt,
      completedAt: dnsSync.inSyncAt,
      selection,
      tierReadyAt: Object.fromEntries(inventories.map((i) => [i.tier, i.readyAt])),
    });
    const resources = inventories.flatMap((i) => i.resources);
    const outcomeKey = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.outcome);
    const outcome = {
      workflow: 'failover',
      status: 'FAILED_OVER',
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
      })),
      keys: {
        dnsSnapshot: episodeSnapshotKey(run.app, run.failoverId),
        dnsCutover: runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.dnsCutover),
        recoverySelection: runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection),
        inventories: run.tiers.map((t) =>
          runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.tierInventory(t.index)),
        ),
      },
    };
    await ctx.artifacts.putJson(outcomeKey, outcome);
    const targetsMet = metrics.tiers.every((t) => t.rtoMet && t.rpoMet);
    await ctx.state.updateRun(run.app, run.runId, {
      status: 'SUCCEEDED',
      completedAt: dnsSync.inSyncAt,
      rtoSeconds: metrics.rtoSeconds,
      rpoSeconds: Object.fromEntries(metrics.resources.slice(0, 200).map((r) => [r.source, r.rpoSeconds])),
      outcomeKey,
      targetsMet,
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
      subject: `Pendulum: ${run.app} failed over to ${run.targetRegion}`,
      lines: [
        `${run.app} now runs in ${run.targetRegion} (run ${run.runId}).`,
        `RTO ${formatDuration(metrics.rtoSeconds)}; ${resources.length} resource(s) recovered.`,
        ...metrics.tiers.map(
          (t) =>
            `Tier ${t.tier}: RTO target ${formatDuration(t.rtoTargetSeconds)} ${t.rtoMet ? 'met' : 'MISSED'}, worst RPO ${formatDuration(t.worstRpoSeconds)} of ${formatDuration(t.rpoTargetSeconds)} ${t.rpoMet ? 'met' : 'MISSED'}.`,
        ),
        `Fail back with the failback workflow once ${run.sourceRegion} is healthy.`,
      ],
    });
    logger.info('failover recorded', { app: run.app, rtoSeconds: metrics.rtoSeconds, targetsMet });
    return {
      status: 'FAILED_OVER',
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
