/**
 * On a failed failback: puts DNS back to the last step whose health gate passed, or, if none did,
 * to the records as they were before the shift began. Deletes nothing else.
 */
import { z } from 'zod';
import { moveDnsShift } from '../failback/apply-dns-shift';
import { readDnsShift } from '../failback/dns-shift-state';
import { failbackRunSchema } from '../failback/failback-run';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export function makeRollBackDnsHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run } = parseTaskInput(eventSchema, event, 'roll-back-dns');
    const ctx = taskContext(deps);
    const state = await readDnsShift(ctx.artifacts, run.app, run.failbackId);
    if (!state || state.applied === state.lastGood) {
      return { rolledBack: false, weight: state?.applied ?? null, changes: 0, changeIds: [] as string[] };
    }
    const moved = await moveDnsShift(
      ctx.clients.route53(),
      ctx.artifacts,
      run.app,
      state,
      state.lastGood,
      'rollback',
      `Pendulum failback of ${run.app} failed: DNS back to ${state.lastGood === null ? 'the recovery region' : `${state.lastGood} % home`} (run ${run.runId})`,
      ctx.now(),
    );
    logger.warn('dns rolled back', { weight: state.lastGood, changes: moved.changes });
    return { rolledBack: true, weight: state.lastGood, changes: moved.changes, changeIds: moved.changeIds };
  };
}

export const handler = makeRollBackDnsHandler();
