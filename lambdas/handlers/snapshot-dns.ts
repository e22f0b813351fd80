/**
 * Snapshots every managed hosted zone to the versioned bucket before anything changes.
 * A re-run of the same failover keeps the first snapshot: that one shows the zone before failover.
 */
import { z } from 'zod';
import { episodeSnapshotKey, takeDnsSnapshot } from '../failover/dns-snapshot';
import { failoverRunSchema } from '../failover/failover-run';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema });

export interface SnapshotDnsResult {
  readonly key: string;
  readonly zones: number;
  readonly records: number;
  readonly reused: boolean;
}

export function makeSnapshotDnsHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<SnapshotDnsResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'snapshot-dns');
    const ctx = taskContext(deps);
    const key = episodeSnapshotKey(run.app, run.failoverId);
    const existing = await ctx.artifacts.getJsonIfExists<{ zones: { count: number }[] }>(key);
    if (existing) {
      return {
        key,
        zones: existing.zones.length,
        records: existing.zones.reduce((n, z) => n + z.count, 0),
        reused: true,
      };
    }
    const snapshot = await takeDnsSnapshot(ctx.clients.route53(), ctx.plan, ctx.now);
    const stored = await ctx.artifacts.putJson(key, snapshot);
    await ctx.state.updateRun(run.app, run.runId, { dnsSnapshotKey: key, dnsSnapshotSha256: stored.sha256 });
    const records = snapshot.zones.reduce((n, z) => n + z.count, 0);
    logger.info('dns snapshot taken', { key, zones: snapshot.zones.length, records });
    return { key, zones: snapshot.zones.length, records, reused: false };
  };
}

export const handler = makeSnapshotDnsHandler();
