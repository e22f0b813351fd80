/**
 * Failback, before anything changes: each private zone of the plan still resolves at home (see
 * lambdas/failback/home-zone-vpcs.ts). Refuses with GateClosedError naming each zone and VPC.
 */
import { z } from 'zod';
import { failbackRunSchema } from '../failback/failback-run';
import { checkHomeZoneVpcs, type HomeZoneVpcs } from '../failback/home-zone-vpcs';
import {
  episodeZoneAssociationsKey,
  type PrivateZoneAssociations,
} from '../failover/private-zone-associations';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export function makeCheckPrivateZonesHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<{ zones: HomeZoneVpcs[] }> => {
    const { run } = parseTaskInput(eventSchema, event, 'check-private-zones');
    const ctx = taskContext(deps);
    // A failover made before Pendulum recorded associations has no record: only "some home VPC" is checked.
    const failoverRecord = await ctx.artifacts.getJsonIfExists<PrivateZoneAssociations>(
      episodeZoneAssociationsKey(run.app, run.failoverId),
    );
    const zones = await checkHomeZoneVpcs(ctx.clients.route53(), ctx.plan, run.targetRegion, failoverRecord);
    logger.info('private zones resolve at home', { zones: zones.length });
    return { zones };
  };
}

export const handler = makeCheckPrivateZonesHandler();
