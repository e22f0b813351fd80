/**
 * Which instances a tag-selected role protects, as far as the recovery region can tell: those the
 * role's newest protection run captured (at or before a time, for failover to a point in time).
 * An instance retired from the role keeps old points for a while and must not come back from the
 * dead; which instances carry the tag now is only known in the primary region.
 */
import type { RecoveryPoint } from './recovery-point';

/** The newest available point, ties broken by id so every caller picks the same one. */
export function newestAvailablePoint(points: readonly RecoveryPoint[]): RecoveryPoint | undefined {
  let newest: RecoveryPoint | undefined;
  for (const point of points) {
    if (point.state !== 'available' || !Number.isFinite(Date.parse(point.takenAt))) continue;
    const taken = Date.parse(point.takenAt);
    const best = newest ? Date.parse(newest.takenAt) : Number.NEGATIVE_INFINITY;
    if (!newest || taken > best || (taken === best && point.id > newest.id)) newest = point;
  }
  return newest;
}

export function roleSources(
  points: readonly RecoveryPoint[],
  tier: string,
  role: string,
  at: 'latest' | Date = 'latest',
): string[] {
  const mine = points.filter(
    (p) =>
      p.kind === 'ami' &&
      p.tier === tier &&
      p.role === role &&
      p.state === 'available' &&
      (at === 'latest' || Date.parse(p.takenAt) <= at.getTime()),
  );
  const newest = newestAvailablePoint(mine);
  if (!newest) return [];
  return [...new Set(mine.filter((p) => p.protectRun === newest.protectRun).map((p) => p.source))].sort();
}
