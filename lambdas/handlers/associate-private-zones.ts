/**
 * Before the DNS cutover: associates each private zone of the plan with the recovery placement's
 * VPCs, so recovered clients resolve it, and waits until Route 53 has applied each association.
 * What it associated is recorded per failover episode (and in the outcome); Pendulum never
 * removes an association. Drills associate nothing: they record what a failover would associate.
 */
import { z } from 'zod';
import { failoverRunSchema } from '../failover/failover-run';
import {
  associatePrivateZones,
  episodeZoneAssociationsKey,
  type PrivateZoneAssociations,
} from '../failover/private-zone-associations';
import { assertInSync } from '../route53/hosted-zone';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema });

export interface AssociatePrivateZonesResult {
  readonly key: string;
  readonly associated: number;
  readonly alreadyAssociated: number;
  readonly wouldAssociate: number;
}

export function makeAssociatePrivateZonesHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<AssociatePrivateZonesResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'associate-private-zones');
    const ctx = taskContext(deps);
    const route53 = ctx.clients.route53();
    const key = episodeZoneAssociationsKey(run.app, run.failoverId);
    const previous = await ctx.artifacts.getJsonIfExists<PrivateZoneAssociations>(key);
    const record = await associatePrivateZones(route53, ctx.clients.ec2(run.targetRegion), {
      plan: ctx.plan,
      region: run.targetRegion,
      apply: !run.drill,
      comment: `Pendulum ${run.drill ? 'drill' : 'failover'} of ${run.app} to ${run.targetRegion} (run ${run.runId})`,
      now: ctx.now,
      previous,
    });
    // Recorded before waiting: a retry while an association is PENDING must not lose who made it.
    await ctx.artifacts.putJson(key, record);
    await ctx.state.updateRun(run.app, run.runId, { privateZoneAssociationsKey: key });
    const made = record.zones.flatMap((z) => z.associated);
    await assertInSync(route53, made.map((a) => a.changeId).filter(Boolean));
    const count = (pick: (z: PrivateZoneAssociations['zones'][number]) => readonly unknown[]) =>
      record.zones.reduce((n, z) => n + pick(z).length, 0);
    const result = {
      key,
      associated: made.length,
      alreadyAssociated: count((z) => z.alreadyAssociated),
      wouldAssociate: count((z) => z.wouldAssociate),
    };
    logger.info('private zones associated', { ...result });
    return result;
  };
}

export const handler = makeAssociatePrivateZonesHandler();
