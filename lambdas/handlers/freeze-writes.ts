/**
 * Stops writes in the recovery region before failback's final sync, the way the plan says
 * (`failback.freeze`), and records when the freeze held: every sync after it is judged against
 * that moment.
 *
 * - `readOnly`: the recovery databases get a read-only copy of their parameter group (see
 *   read-only-databases); called in a poll loop until every database has applied it.
 * - `hook`: the preFailback hooks were asked (the FreezeWritesHooks state) and all answered
 *   `{ "writesFrozen": true }`; this records the moment.
 * - `maintenance`: the stateless records point at the maintenance target (the ShiftDnsMaintenance
 *   state, confirmed in sync); this records the moment.
 * - `none`: nothing is frozen; the moment the final sync was asked for is recorded instead.
 *
 * A freeze still in force from an earlier attempt of the same failback (one that stopped after its
 * data cutover) is kept as it is: writes have been stopped since then.
 */
import { z } from 'zod';
import { assertWithinCap, nextPollSeconds } from '../failback/failback-caps';
import { failbackRunSchema } from '../failback/failback-run';
import { readResourcePlan } from '../failback/home-inventory';
import { FAILBACK_TAG, failbackTags } from '../failback/home-names';
import { freezeDatabases } from '../failback/read-only-databases';
import { activeFreeze, readWriteFreeze, saveWriteFreeze, type WriteFreeze } from '../failback/write-freeze';
import { episodeSuffix } from '../failover/failover-run';
import { freezeModeOf } from '../plan/failback-freeze';
import type { FreezeMode } from '../plan/plan-schema';
import { TAG } from '../recovery-points/recovery-point';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface FreezeWritesResult {
  readonly mode: FreezeMode;
  readonly finished: boolean;
  /** When the freeze held; absent while it is being applied, and for `none`. */
  readonly frozenAt?: string;
  readonly waiting: string[];
  readonly pollSeconds: number;
  readonly dryRun?: true;
}

export function makeFreezeWritesHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<FreezeWritesResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'freeze-writes');
    const ctx = taskContext(deps);
    const mode = freezeModeOf(ctx.plan);
    if (run.dryRun) return { mode, finished: true, waiting: [], pollSeconds: 0, dryRun: true };
    const now = ctx.now().toISOString();
    const held = activeFreeze(await readWriteFreeze(ctx.artifacts, run.app, run.failbackId));
    if (held?.frozenAt || (held && held.mode === 'none'))
      return {
        mode: held.mode,
        finished: true,
        ...(held.frozenAt ? { frozenAt: held.frozenAt } : {}),
        waiting: [],
        pollSeconds: 0,
      };
    const freeze: WriteFreeze = held ?? {
      failbackId: run.failbackId,
      runId: run.runId,
      mode,
      requestedAt: now,
      databases: [],
    };

    let waiting: string[] = [];
    let databases = freeze.databases;
    if (mode === 'readOnly') {
      const resources = await readResourcePlan(ctx.artifacts, run);
      const progress = await freezeDatabases(
        ctx.clients.rds(run.sourceRegion),
        resources.databases.map((d) => d.recoveryId),
        freeze.databases,
        {
          app: run.app,
          suffix: episodeSuffix(run.failbackId),
          tags: {
            ...failbackTags(run, { tier: 'freeze', role: 'freeze', source: run.sourceRegion }),
            [TAG.kind]: 'write-freeze',
            [FAILBACK_TAG.from]: run.sourceRegion,
          },
        },
      );
      ({ waiting, databases } = progress);
    }
    const finished = waiting.length === 0;
    const saved: WriteFreeze = {
      ...freeze,
      databases,
      ...(finished && mode !== 'none' ? { frozenAt: now } : {}),
    };
    await saveWriteFreeze(ctx.artifacts, run.app, saved);
    logger.info('write freeze', { mode, finished, waiting: waiting.length });
    const waited = assertWithinCap({
      what: `the write freeze in ${run.sourceRegion}`,
      capName: 'failback.syncCap',
      capSeconds: run.caps.syncSeconds,
      startedAt: freeze.requestedAt,
      now: ctx.now(),
      pending: waiting,
    });
    return {
      mode,
      finished,
      ...(saved.frozenAt ? { frozenAt: saved.frozenAt } : {}),
      waiting: waiting.slice(0, 20),
      pollSeconds: nextPollSeconds(waited),
    };
  };
}

export const handler = makeFreezeWritesHandler();
