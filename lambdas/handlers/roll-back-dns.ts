/**
 * On a failed failback: puts the stateless records back to the last step whose health gate passed,
 * or, if none did, to the records as they were before the shift began (which also ends a
 * maintenance freeze). The data records stay where they are: once they moved home, the home
 * database is the one writable database and pointing clients back at the frozen recovery copy
 * would lose what was written at home since. Deletes nothing else.
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
    if (!state || (state.applied === state.lastGood && !state.maintenance)) {
      return { rolledBack: false, weight: state?.applied ?? null, changes: 0, changeIds: [] as string[] };
    }
    const moved = await moveDnsShift(
      ctx.clients.route53(),
      ctx.artifacts,
      run.app,
      state,
      { applied: state.lastGood, maintenance: false },
      'rollback',
      `Pendulum failback of ${run.app} failed: DNS back to ${state.lastGood === null ? 'the recovery region' : `${state.lastGood} % home`} (run ${run.runId})`,
      ctx.now(),
    );
    logger.warn('dns rolled back', { weight: state.lastGood, changes: moved.changes });
    return {
      rolledBack: true,
      weight: state.lastGood,
      dataHome: state.dataMoved === true,
      changes: moved.changes,
      changeIds: moved.changeIds,
    };
  };
}

export const handler = makeRollBackDnsHandler();
