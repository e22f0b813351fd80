/**
 * Which recovery point a resource comes back from: the newest available one at or before the
 * requested time, and whether its age keeps the tier's RPO. Pure, so failover can decide from the
 * recovery region's catalogue alone.
 */
import { formatDuration } from '../plan/duration';
import { RecoveryPointMissingError, RecoveryPointTooOldError } from '../runtime/task-errors';
import type { RecoveryPoint } from './recovery-point';

export interface ChooseOptions {
  /** `latest`, or the newest point at or before this time (e.g. before a corruption). */
  readonly at: 'latest' | Date;
  /** The moment the choice is made; a point's age is measured from it. */
  readonly now: Date;
  /** The tier's RPO in seconds. */
  readonly rpoSeconds: number;
  /** Accept a point older than the RPO. */
  readonly force: boolean;
  /** Only consider points of this source (and name it in errors). @default every point given */
  readonly source?: string;
}

export interface RecoveryPointChoice {
  readonly point: RecoveryPoint;
  /** `now − takenAt` in seconds: the RPO this choice implies. */
  readonly ageSeconds: number;
  readonly withinRpo: boolean;
}

function newestOf(points: readonly RecoveryPoint[]): RecoveryPoint | undefined {
  let newest: RecoveryPoint | undefined;
  for (const point of points) {
    if (
      !newest ||
      Date.parse(point.takenAt) > Date.parse(newest.takenAt) ||
      (point.takenAt === newest.takenAt && point.id > newest.id)
    )
      newest = point;
  }
  return newest;
}

/**
 * @throws RecoveryPointMissingError when no available point exists at or before `at`
 * @throws RecoveryPointTooOldError when the chosen point is older than the RPO and `force` is not set
 */
export function chooseRecoveryPoint(
  points: readonly RecoveryPoint[],
  options: ChooseOptions,
): RecoveryPointChoice {
  const { at, now, rpoSeconds, force } = options;
  const mine = options.source === undefined ? points : points.filter((p) => p.source === options.source);
  const source = options.source ?? mine[0]?.source ?? 'the resource';
  const rpo = formatDuration(rpoSeconds);
  const atText = at === 'latest' ? 'latest' : at.toISOString();
  const available = mine.filter((p) => p.state === 'available' && Number.isFinite(Date.parse(p.takenAt)));
  const eligible =
    at === 'latest' ? available : available.filter((p) => Date.parse(p.takenAt) <= at.getTime());
  const point = newestOf(eligible);
  if (!point) {
    const newestAny = newestOf(available);
    const newestText = newestAny
      ? `the newest available point was taken at ${newestAny.takenAt}`
      : 'it has no available point';
    const pending = mine.filter((p) => p.state === 'pending').length;
    throw new RecoveryPointMissingError(
      `no recovery point for ${source} at or before ${atText}: ${newestText}${pending > 0 ? ` (${pending} still being made)` : ''}; the RPO is ${rpo}`,
      { source, at: atText, newestTakenAt: newestAny?.takenAt ?? null, rpoSeconds },
    );
  }
  const ageSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(point.takenAt)) / 1000));
  const withinRpo = ageSeconds <= rpoSeconds;
  if (!withinRpo && !force) {
    throw new RecoveryPointTooOldError(
      `the newest recovery point for ${source} at or before ${atText} was taken at ${point.takenAt}, ${formatDuration(ageSeconds)} ago, older than the RPO of ${rpo}; run with force to accept it`,
      { source, at: atText, newestTakenAt: point.takenAt, ageSeconds, rpoSeconds },
    );
  }
  return { point, ageSeconds, withinRpo };
}
