/** Waits (through the state machine's Retry on NotReadyError) until every DNS change is INSYNC. */
import { z } from 'zod';
import { assertInSync } from '../route53/hosted-zone';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ changeIds: z.array(z.string()) });

export function makeConfirmDnsSyncHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<{ inSyncAt: string; changes: number }> => {
    const { changeIds } = parseTaskInput(eventSchema, event, 'confirm-dns-sync');
    const ctx = taskContext(deps);
    await assertInSync(ctx.clients.route53(), changeIds);
    return { inSyncAt: ctx.now().toISOString(), changes: changeIds.length };
  };
}

export const handler = makeConfirmDnsSyncHandler();
