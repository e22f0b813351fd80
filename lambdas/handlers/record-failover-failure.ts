/**
 * The Catch path: records FAILOVER_FAILED with the error and what was created so far, and tells
 * the topic. Nothing is deleted: a re-run continues the same failover from what exists.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { FAILOVER_ARTIFACTS, failoverRunSchema } from '../failover/failover-run';
import { readTierInventories } from '../failover/run-inventory';
import { notify } from '../notify/notify';
import { writeRunReport } from '../reports/write-run-report';
import { drMetrics } from '../rpo/dr-metrics';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failoverRunSchema,
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** Lambda puts `{"errorType","errorMessage",…}` in Cause; people want the message. */
export function failureMessage(failure: { Error?: string; Cause?: string } | undefined): string {
  const cause = failure?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // Not JSON: a Fail state's own cause, used as it is.
  }
  return cause || failure?.Error || 'unknown error';
}

export function makeRecordFailoverFailureHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, failure } = parseTaskInput(eventSchema, event, 'record-failover-failure');
    const ctx = taskContext(deps);
    const error = failure?.Error ?? 'States.Unknown';
    const message = failureMessage(failure);
    const inventories = await readTierInventories(ctx.artifacts, run.app, run.runId, run.tiers);
    const created = inventories
      .flatMap((i) => i.resources)
      .map((r) => ({ source: r.source, recovered: r.recoveredId, kind: r.kind }));
    const outcomeKey = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.outcome);
    const outcome = {
      workflow: 'failover',
      status: 'FAILOVER_FAILED',
      app: run.app,
      runId: run.runId,
      failoverId: run.failoverId,
      startedAt: run.startedAt,
      failedAt: ctx.now().toISOString(),
      error,
      message,
      created,
    };
    await ctx.artifacts.putJson(outcomeKey, outcome);
    await writeRunReport(ctx.artifacts, ctx.plan, outcomeKey, outcome);
    await ctx.state.updateRun(run.app, run.runId, {
      status: 'FAILED',
      error,
      message,
      failedAt: ctx.now().toISOString(),
      outcomeKey,
      createdCount: created.length,
    });
    if (run.drill) {
      // A failed drill changes no app status; the teardown that follows removes what it made.
      await ctx.state.updateRun(run.app, run.runId, { status: 'DRILL_FAILED' });
      await ctx.state.put({
        pk: `APP#${run.app}`,
        sk: 'LAST_DRILL',
        runId: run.runId,
        status: 'DRILL_FAILED',
        error,
        at: ctx.now().toISOString(),
      });
      await ctx.state.releaseDrill(run.app, run.runId);
      const drill = drMetrics();
      drill.addDimension('App', run.app);
      drill.addMetric('DrillPassed', MetricUnit.Count, 0);
      drill.publishStoredMetrics();
      await notify(ctx.clients.sns(), ctx.config.topicArn, {
        subject: `Pendulum: drill of ${run.app} FAILED`,
        lines: [
          `Drill ${run.runId} failed: ${error}: ${message}`,
          'Everything it created is torn down next; production was not touched.',
        ],
      });
      return { status: 'DRILL_FAILED', error, message, created: created.length, released: true };
    }
    // Another run may hold the lock by now; its record is left alone.
    const released = await ctx.state.releaseIfHeld(
      'failover',
      run.app,
      run.runId,
      { lastError: `${error}: ${message}`.slice(0, 2000), failoverId: run.failoverId, outcomeKey },
      ctx.now(),
    );
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: failover of ${run.app} FAILED`,
      lines: [
        `Failover of ${run.app} to ${run.targetRegion} failed (run ${run.runId}).`,
        `${error}: ${message}`,
        `${created.length} resource(s) had been created in ${run.targetRegion}; they are kept.`,
        'Fix the cause and start the failover again: it continues from what exists.',
      ],
    });
    return { status: 'FAILOVER_FAILED', error, message, created: created.length, released };
  };
}

export const handler = makeRecordFailoverFailureHandler();
