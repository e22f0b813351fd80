/**
 * Which recovery points protection deletes: per source, every available point beyond the newest
 * `retain`, and failed ones. The newest available point is never pruned, and neither is a point
 * still being made, nor a replica (it is the database itself, not a copy).
 */
import type { RecoveryPoint } from './recovery-point';

function byNewestFirst(a: RecoveryPoint, b: RecoveryPoint): number {
  const diff = Date.parse(b.takenAt) - Date.parse(a.takenAt);
  if (diff !== 0 && Number.isFinite(diff)) return diff;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function pointsToPrune(points: readonly RecoveryPoint[], retain: number): RecoveryPoint[] {
  const keep = Math.max(1, Math.floor(retain));
  const bySource = new Map<string, RecoveryPoint[]>();
  for (const point of points) {
    if (point.kind === 'db-replica') continue;
    const key = `${point.kind}\u0000${point.source}`;
    const list = bySource.get(key) ?? [];
    list.push(point);
    bySource.set(key, list);
  }
  const prune: RecoveryPoint[] = [];
  for (const list of bySource.values()) {
    const available = list.filter((p) => p.state === 'available').sort(byNewestFirst);
    prune.push(...available.slice(keep));
    // A failed copy is never usable; it goes once a usable point of the same source exists.
    if (available.length > 0) prune.push(...list.filter((p) => p.state === 'failed'));
  }
  return prune;
}
