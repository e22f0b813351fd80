/**
 * A tier's recovery in bounded batches, so that no RecoverTier invocation has more starts than it
 * can finish within its Lambda timeout; the state machine loops until the tier is all started.
 *
 * Batch size: RecoverTier runs 10 minutes at most (lib/workflows/failover-workflow.ts). A start is
 * one RunInstances or one RestoreDBInstanceFromDBSnapshot, 1-3 s each on AWS, 10 at a time; but a
 * few thousand of them hit EC2's request-rate limit for RunInstances (a bucket refilled at about
 * 2 calls a second per account and region), and the SDK backs off on throttling, so plan on one
 * start a second. 200 starts then take about 200 s, plus a paginated describe of the episode's
 * instances (1,000 a page) and one inventory write: about a third of the timeout, leaving room for
 * a slow region. History grows by one RecoverTier and one Choice per 200 resources.
 */
import type { RecoveredResource } from './recovered-resource';
import type { SelectedResource } from './recovery-selection';

export const RECOVERY_BATCH_SIZE = 200;

const keyOf = (r: { kind: string; source: string }) => `${r.kind}:${r.source}`;

export interface RecoveryBatch {
  /** What this invocation starts (or finds started), in selection order. */
  readonly batch: SelectedResource[];
  /** Nothing left to start after this batch. */
  readonly last: boolean;
  /** Each resource's position among its role's resources in the whole tier, for subnet spreading. */
  readonly ordinals: ReadonlyMap<string, number>;
}

/** The next batch: the first `size` selected resources not yet in the tier inventory. */
export function nextRecoveryBatch(
  selected: readonly SelectedResource[],
  recorded: readonly RecoveredResource[],
  size = RECOVERY_BATCH_SIZE,
): RecoveryBatch {
  const done = new Set(recorded.map(keyOf));
  const pending = selected.filter((r) => !done.has(keyOf(r)));
  const perRole = new Map<string, number>();
  const ordinals = new Map<string, number>();
  for (const resource of selected) {
    const nth = perRole.get(resource.role) ?? 0;
    perRole.set(resource.role, nth + 1);
    ordinals.set(resource.source, nth);
  }
  return { batch: pending.slice(0, size), last: pending.length <= size, ordinals };
}
