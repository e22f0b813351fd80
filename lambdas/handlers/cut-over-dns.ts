/**
 * Points the managed records at the recovered resources: one change batch per zone, UPSERT only.
 * Retrying writes the same values again, which Route 53 accepts without harm.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { cutOverDns } from '../failover/dns-cutover';
import { drillPlan } from '../failover/drill-names';
import { FAILOVER_ARTIFACTS, failoverRunSchema } from '../failover/failover-run';
import { readTierInventories } from '../failover/run-inventory';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema });

export interface CutOverDnsResult {
  readonly key: string;
  readonly zones: number;
  readonly changes: number;
  readonly changeIds: string[];
}

export function makeCutOverDnsHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<CutOverDnsResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'cut-over-dns');
    const ctx = taskContext(deps);
    const inventories = await readTierInventories(ctx.artifacts, run.app, run.runId, run.tiers);
    const key = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.dnsCutover);
    const cutover = await cutOverDns(ctx.clients.route53(), {
      plan: run.drill ? drillPlan(ctx.plan) : ctx.plan,
      region: run.targetRegion,
      resources: inventories.flatMap((i) => i.resources),
      comment: `Pendulum ${run.drill ? 'drill' : 'failover'} of ${run.app} to ${run.targetRegion} (run ${run.runId})`,
      now: ctx.now,
    });
    // A retry that finds nothing to change must not lose the record of what the first attempt wrote.
    const previous = await ctx.artifacts.getJsonIfExists<typeof cutover>(key);
    const merged = previous
      ? {
          ...cutover,
          zones: cutover.zones.map((z, i) => ({
            ...z,
            before: previous.zones[i]?.before ?? z.before,
            changeIds: [...(previous.zones[i]?.changeIds ?? []), ...z.changeIds],
            changes: Math.max(z.changes, previous.zones[i]?.changes ?? 0),
          })),
        }
      : cutover;
    await ctx.artifacts.putJson(key, merged);
    await ctx.state.updateRun(run.app, run.runId, { dnsCutoverKey: key });
    const changes = cutover.zones.reduce((n, z) => n + z.changes, 0);
    logger.info('dns cut over', { zones: cutover.zones.length, changes });
    return { key, zones: cutover.zones.length, changes, changeIds: merged.zones.flatMap((z) => z.changeIds) };
  };
}

export const handler = makeCutOverDnsHandler();
