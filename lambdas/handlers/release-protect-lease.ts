/**
 * Gives back the protection leases a run took, on every way out of the run (success and failure):
 * only leases this run still holds are deleted, so a late release never frees another run's tier.
 */
import { z } from 'zod';
import { releaseProtectLeases } from '../recovery-points/protection-lease';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const inputSchema = z.strictObject({
  tiers: z.array(z.string().min(1).max(64)).min(1),
  protectRun: z.string().min(1).max(128),
});

export function makeReleaseProtectLeaseHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<{ released: number }> => {
    const input = parseTaskInput(inputSchema, event, 'release-protect-lease');
    const ctx = taskContext(deps);
    const released = await releaseProtectLeases(ctx.state, ctx.plan.app, input.tiers, input.protectRun);
    logger.info('protection leases released', { runId: input.protectRun, tiers: input.tiers, released });
    return { released };
  };
}

export const handler = makeReleaseProtectLeaseHandler();
