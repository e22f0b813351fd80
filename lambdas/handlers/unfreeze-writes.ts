/**
 * On a failback that stopped: lets the recovery region write again, unless the data already moved.
 *
 * Before the data cutover the recovery databases are still production's data: the freeze is undone
 * (readOnly: each database gets its own parameter group back; hook: the preFailback hooks are told
 * writes may resume there; maintenance: the DNS rollback already pointed the records back).
 * After the data cutover the home databases are the one writable copy: the recovery databases stay
 * frozen (a second writable copy would split the data), and with a hook freeze the hooks are told
 * writes may resume at home instead.
 *
 * Called in a poll loop until done (a parameter group change needs a reboot).
 */
import { z } from 'zod';
import { readDnsShift } from '../failback/dns-shift-state';
import { nextPollSeconds, waitedSeconds } from '../failback/failback-caps';
import { failbackRunSchema } from '../failback/failback-run';
import { unfreezeDatabases } from '../failback/read-only-databases';
import { activeFreeze, readWriteFreeze, saveWriteFreeze } from '../failback/write-freeze';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface UnfreezeWritesResult {
  readonly finished: boolean;
  /** Whether the recovery region takes writes again. */
  readonly recoveryWritable: boolean;
  /** A hook freeze: the region the hooks are told writes may resume in; absent otherwise. */
  readonly hooksRegion?: string;
  readonly callHooks: boolean;
  readonly waiting: string[];
  readonly pollSeconds: number;
  readonly detail: string;
}

export function makeUnfreezeWritesHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<UnfreezeWritesResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'unfreeze-writes');
    const ctx = taskContext(deps);
    const done = (detail: string, extra: Partial<UnfreezeWritesResult> = {}): UnfreezeWritesResult => ({
      finished: true,
      recoveryWritable: true,
      callHooks: false,
      waiting: [],
      pollSeconds: 0,
      detail,
      ...extra,
    });
    const freeze = activeFreeze(await readWriteFreeze(ctx.artifacts, run.app, run.failbackId));
    if (run.dryRun || !freeze || freeze.mode === 'none') return done('no write freeze to undo');
    const shift = await readDnsShift(ctx.artifacts, run.app, run.failbackId);
    if (shift?.dataMoved) {
      logger.warn('data is home: the recovery databases stay frozen', { mode: freeze.mode });
      return done(
        `the data records moved to ${run.targetRegion} at ${shift.dataMovedAt}: the home databases are the writable copy, the recovery databases stay frozen`,
        {
          recoveryWritable: false,
          callHooks: freeze.mode === 'hook',
          ...(freeze.mode === 'hook' ? { hooksRegion: run.targetRegion } : {}),
        },
      );
    }
    if (freeze.mode === 'readOnly') {
      const progress = await unfreezeDatabases(ctx.clients.rds(run.sourceRegion), freeze.databases);
      if (progress.waiting.length > 0)
        return {
          finished: false,
          recoveryWritable: false,
          callHooks: false,
          waiting: progress.waiting.slice(0, 20),
          pollSeconds: nextPollSeconds(waitedSeconds(freeze.frozenAt ?? freeze.requestedAt, ctx.now())),
          detail: 'giving the recovery databases their own parameter groups back',
        };
    }
    await saveWriteFreeze(ctx.artifacts, run.app, { ...freeze, unfrozenAt: ctx.now().toISOString() });
    logger.info('write freeze undone', { mode: freeze.mode });
    return done(`writes resume in ${run.sourceRegion}`, {
      callHooks: freeze.mode === 'hook',
      ...(freeze.mode === 'hook' ? { hooksRegion: run.sourceRegion } : {}),
    });
  };
}

export const handler = makeUnfreezeWritesHandler();
