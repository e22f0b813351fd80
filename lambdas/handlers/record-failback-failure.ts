/**
 * The failback Catch path, after DNS was rolled back: records FAILBACK_FAILED with the error and
 * tells the topic. Nothing is deleted; production stays in the recovery region; a re-run resumes.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { FAILBACK_ARTIFACTS, failbackRunSchema } from '../failback/failback-run';
import { notify } from '../notify/notify';
import { writeRunReport } from '../reports/write-run-report';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';
import { failureMessage } from './record-failover-failure';

const eventSchema = z.object({
  run: failbackRunSchema,
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  rollback: z.object({ rolledBack: z.boolean(), weight: z.number().nullable() }).passthrough().optional(),
  /** What UnfreezeWrites did (or the error it failed with). */
  unfreeze: z
    .object({
      recoveryWritable: z.boolean().optional(),
      detail: z.string().optional(),
      Error: z.string().optional(),
      Cause: z.string().optional(),
    })
    .passthrough()
    .optional(),
});

export function makeRecordFailbackFailureHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run, failure, rollback, unfreeze } = parseTaskInput(
      eventSchema,
      event,
      'record-failback-failure',
    );
    const ctx = taskContext(deps);
    const error = failure?.Error ?? 'States.Unknown';
    const message = failureMessage(failure);
    const outcomeKey = runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.outcome);
    const dataHome = rollback?.dataHome === true;
    const dnsState =
      rollback?.weight === null || rollback === undefined
        ? `in ${run.sourceRegion}${dataHome ? ` (data records in ${run.targetRegion})` : ''}`
        : `${rollback.weight} % home`;
    const writes = unfreeze?.Error
      ? `Writes may still be frozen in ${run.sourceRegion}: undoing the freeze failed (${unfreeze.Error}: ${unfreeze.Cause ?? ''}); undo it by hand.`
      : unfreeze?.recoveryWritable === false
        ? `The data is home: the recovery databases stay read-only and ${run.targetRegion} is the one writable copy.`
        : `Writes are open again in ${run.sourceRegion}${unfreeze?.detail ? ` (${unfreeze.detail})` : ''}.`;
    const outcome = {
      workflow: 'failback',
      status: 'FAILBACK_FAILED',
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      startedAt: run.startedAt,
      failedAt: ctx.now().toISOString(),
      error,
      message,
      dns: dnsState,
      writes,
    };
    await ctx.artifacts.putJson(outcomeKey, outcome);
    await writeRunReport(ctx.artifacts, ctx.plan, outcomeKey, outcome);
    await ctx.state.updateRun(run.app, run.runId, {
      status: 'FAILED',
      error,
      message,
      failedAt: ctx.now().toISOString(),
      outcomeKey,
      dns: dnsState,
    });
    // Another run may hold the lock by now; its record is left alone.
    const released = await ctx.state.releaseIfHeld(
      'failback',
      run.app,
      run.runId,
      { lastError: `${error}: ${message}`.slice(0, 2000), failbackId: run.failbackId },
      ctx.now(),
    );
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: failback of ${run.app} FAILED`,
      lines: [
        `Failback of ${run.app} to ${run.targetRegion} failed (run ${run.runId}).`,
        `${error}: ${message}`,
        `DNS is ${dnsState}. Nothing was deleted; production keeps running in ${run.sourceRegion}.`,
        writes,
        'Fix the cause and start the failback again: it resumes from what exists.',
      ],
    });
    return { status: 'FAILBACK_FAILED', error, message, released };
  };
}

export const handler = makeRecordFailbackFailureHandler();
