/**
 * Production is home: records the failback (duration, data sync, DNS steps), sets the app
 * PRIMARY_ACTIVE in the target region, and tells the topic. Recovery copies are retired later,
 * after the soak time.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { readDnsShift } from '../failback/dns-shift-state';
import { failbackRpo } from '../failback/failback-rpo';
import { FAILBACK_ARTIFACTS, failbackRunSchema } from '../failback/failback-run';
import type { HomeResourceEntry } from '../failback/home-targets';
import type { Reconciliation } from '../failback/reconciliation';
import { retirementIsScheduled } from '../failback/scheduled-retirement';
import { type WriteFreeze, writeFreezeKey } from '../failback/write-freeze';
import { summarizeHooks } from '../hooks/hook-warnings';
import { notify, warningLines, withWarnings } from '../notify/notify';
import { formatDuration } from '../plan/duration';
import { freezeModeOf } from '../plan/failback-freeze';
import { writeRunReport } from '../reports/write-run-report';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failbackRunSchema,
  /** The workflow's `$.hookResults`: post-failback hooks that did not pass are warnings. */
  hookResults: z.unknown().optional(),
});

export function makeRecordFailbackHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, hookResults } = parseTaskInput(eventSchema, event, 'record-failback');
    const ctx = taskContext(deps);
    const { hooks, warnings } = summarizeHooks(hookResults);
    const now = ctx.now();
    const [reconciliation, home, shift, freeze] = await Promise.all([
      ctx.artifacts.getJson<Reconciliation>(
        runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation),
      ),
      ctx.artifacts.getJson<{
        resources: (HomeResourceEntry & {
          recoveryId?: string;
          tier?: string;
          created?: boolean;
          syncPointAt?: string;
        })[];
      }>(runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.homeInventory)),
      readDnsShift(ctx.artifacts, run.app, run.failbackId),
      // FreezeWrites always records the freeze (mode none included) before anything reaches here.
      ctx.artifacts.getJson<WriteFreeze>(writeFreezeKey(run.app, run.failbackId)),
    ]);
    const rpo = failbackRpo({
      mode: freeze?.mode ?? freezeModeOf(ctx.plan),
      ...(freeze?.frozenAt ? { frozenAt: freeze.frozenAt } : {}),
      ...(shift?.dataMovedAt ? { dataMovedAt: shift.dataMovedAt } : {}),
      // Every database and Aurora cluster brought home has a sync point the freeze is judged against.
      syncPoints: home.resources
        .filter((r) => r.kind !== 'ec2')
        .map((r) => ({
          database: String(r.source ?? r.recoveryId),
          ...(r.syncPointAt ? { at: r.syncPointAt } : {}),
        })),
    });
    const durationSeconds = Math.round((now.getTime() - Date.parse(run.startedAt)) / 1000);
    const outcomeKey = runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.outcome);
    const outcome = {
      workflow: 'failback',
      status: 'PRIMARY_ACTIVE',
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      failoverId: run.failoverId,
      startedAt: run.startedAt,
      completedAt: now.toISOString(),
      durationSeconds,
      from: run.sourceRegion,
      activeRegion: run.targetRegion,
      strategy: run.strategy,
      /** Writes at risk: 0 when the freeze held before every final sync. */
      rpo,
      dnsSteps: (shift?.history ?? []).map((h) => ({
        weight: h.weight,
        kind: h.kind,
        at: h.at,
        changes: h.changes,
      })),
      dataSync: reconciliation.resources.databases.map((d) => {
        const synced = home.resources.find((r) => r.kind !== 'ec2' && r.recoveryId === d.recoveryId);
        return {
          source: d.source,
          from: d.recoveryId,
          strategy: d.strategy,
          ...(d.kind === 'aurora' ? { kind: d.kind } : {}),
          // What the home copy holds every write up to: the RPO above is judged on it.
          ...(synced?.syncPointAt ? { syncPointAt: synced.syncPointAt } : {}),
        };
      }),
      home: home.resources,
      setAside: reconciliation.resources.stale,
      preserved: reconciliation.dns.reduce((n, z) => n + z.preserved.length, 0),
      hooks,
      warnings,
      keys: {
        reconciliation: runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation),
        homeInventory: runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.homeInventory),
      },
    };
    logger.info('failback rpo', { ...rpo });
    await ctx.artifacts.putJson(outcomeKey, outcome);
    await writeRunReport(ctx.artifacts, ctx.plan, outcomeKey, outcome);
    await ctx.state.updateRun(run.app, run.runId, {
      status: 'SUCCEEDED',
      completedAt: now.toISOString(),
      durationSeconds,
      outcomeKey,
      databasesSynced: outcome.dataSync.length,
      ...(rpo.seconds === null ? {} : { rpoSeconds: rpo.seconds }),
      instancesBroughtHome: home.resources.filter((r) => r.kind === 'ec2').length,
      warnings,
    });
    await ctx.state.release(
      'failback',
      run.app,
      run.runId,
      'succeeded',
      {
        activeRegion: run.targetRegion,
        failbackId: run.failbackId,
        lastFailbackRunId: run.runId,
        lastFailbackAt: now.toISOString(),
        failbackOutcomeKey: outcomeKey,
      },
      now,
    );
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: ${run.app} failed back to ${run.targetRegion}${withWarnings(warnings)}`,
      lines: [
        `${run.app} runs in ${run.targetRegion} again (run ${run.runId}), after ${formatDuration(durationSeconds)} of failback.`,
        `${outcome.dataSync.length} database(s) synced from the recovery copies; ${outcome.home.filter((r) => r.kind === 'ec2').length} instance(s) brought home; ${outcome.preserved} interim DNS change(s) kept.`,
        rpo.orderHeld
          ? `Writes at risk: none (freeze ${rpo.mode} held from ${rpo.frozenAt ?? 'the start'}; every database synced after it).`
          : `Writes at risk: ${rpo.seconds === null ? 'unknown' : formatDuration(rpo.seconds)} (${rpo.problems.slice(0, 3).join('; ')}).`,
        ...warningLines(warnings),
        retirementIsScheduled(run.soakSeconds)
          ? `Recovery-region copies are kept for the soak of ${formatDuration(run.soakSeconds)}, then retired by a scheduled retirement (final snapshots kept); the next notice says when.`
          : `Recovery-region copies are retired after the soak of ${formatDuration(run.soakSeconds)}, final snapshots kept.`,
      ],
    });
    return {
      status: 'PRIMARY_ACTIVE',
      app: run.app,
      runId: run.runId,
      activeRegion: run.targetRegion,
      durationSeconds,
      /** When production was home: a scheduled retirement counts the soak from here. */
      completedAt: now.toISOString(),
      outcomeKey,
    };
  };
}

export const handler = makeRecordFailbackHandler();
