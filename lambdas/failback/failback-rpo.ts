/**
 * Failback's RPO: the writes at risk. Pure.
 *
 * Writes are safe when the order held: the freeze held before every database's sync point (its
 * final snapshot, or the zero-lag reading its replica was promoted on). Then nothing written in the
 * recovery region can be missing at home: 0. Otherwise (no freeze, or a sync point before it), the
 * writes between the earliest sync point and the data cutover (when clients were sent home) may be
 * lost: that window is the RPO, and the report says so.
 */
import type { FreezeMode } from '../plan/plan-schema';

export interface FailbackRpoInput {
  readonly mode: FreezeMode;
  readonly frozenAt?: string;
  /** Per database: when its home copy holds every write up to. */
  readonly syncPoints: readonly { readonly database: string; readonly at?: string }[];
  /** When the data records moved home. */
  readonly dataMovedAt?: string;
}

export interface FailbackRpo {
  /** Seconds of writes at risk: 0 when the order held; null when the window cannot be told. */
  readonly seconds: number | null;
  readonly orderHeld: boolean;
  readonly mode: FreezeMode;
  readonly frozenAt?: string;
  readonly dataMovedAt?: string;
  /** Why the order did not hold, per database. */
  readonly problems: string[];
}

export function failbackRpo(input: FailbackRpoInput): FailbackRpo {
  const frozen = input.frozenAt ? Date.parse(input.frozenAt) : undefined;
  const problems: string[] = [];
  if (input.syncPoints.length > 0 && frozen === undefined)
    problems.push(
      `no write freeze (failback.freeze ${input.mode}): the recovery databases took writes during the final sync`,
    );
  for (const point of input.syncPoints) {
    if (!point.at) problems.push(`${point.database}: no sync point recorded`);
    else if (frozen !== undefined && Date.parse(point.at) < frozen)
      problems.push(`${point.database}: synced at ${point.at}, before the freeze at ${input.frozenAt}`);
  }
  const base = {
    mode: input.mode,
    ...(input.frozenAt ? { frozenAt: input.frozenAt } : {}),
    ...(input.dataMovedAt ? { dataMovedAt: input.dataMovedAt } : {}),
  };
  if (problems.length === 0) return { ...base, seconds: 0, orderHeld: true, problems };
  const points = input.syncPoints.flatMap((p) => (p.at ? [Date.parse(p.at)] : [])).filter(Number.isFinite);
  const earliest = points.length > 0 ? Math.min(...points) : undefined;
  const end = input.dataMovedAt ? Date.parse(input.dataMovedAt) : undefined;
  const seconds =
    earliest !== undefined && end !== undefined && Number.isFinite(end)
      ? Math.max(0, Math.round((end - earliest) / 1000))
      : null;
  return { ...base, seconds, orderHeld: false, problems };
}
