/**
 * Moving a managed record home in weighted stages: the simple record becomes a weighted pair
 * (home, away) whose weights walk the plan's steps, and collapses back to one simple record on
 * the home side at 100 %. Pure: every step and every rollback is a list of Route 53 changes.
 *
 * Route 53 (and moto) delete weighted records by set identifier, so each record's pair gets
 * identifiers of its own, derived from the record's key.
 */
import { createHash } from 'node:crypto';
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';

export interface ShiftRecord {
  readonly key: string;
  /** The record as it was when the shift was planned (absent when someone deleted it and prefer=failback). */
  readonly original?: ResourceRecordSet;
  /** The record as it must end: pointing at the new primary. */
  readonly desired: ResourceRecordSet;
  /** Staged records become a weighted pair; the others move at once (routing-policy records, re-creations). */
  readonly staged: boolean;
}

export function pairId(key: string, side: 'home' | 'away'): string {
  return `pendulum-${createHash('sha256').update(key).digest('hex').slice(0, 10)}-${side}`;
}

function weighted(
  record: ResourceRecordSet,
  key: string,
  side: 'home' | 'away',
  weight: number,
): ResourceRecordSet {
  const { SetIdentifier: _s, Weight: _w, ...rest } = record;
  return { ...rest, SetIdentifier: pairId(key, side), Weight: weight };
}

/** The pair as it stands at `weight` (percent to the home side). */
function pair(record: ShiftRecord, weight: number): ResourceRecordSet[] {
  const away = record.original ?? record.desired;
  return [
    weighted(record.desired, record.key, 'home', weight),
    weighted(away, record.key, 'away', 100 - weight),
  ];
}

/**
 * The changes that take a record from `from` (null: the original simple record; a number: the
 * pair at that weight; 100: the desired simple record) to `to`. Pass weights through
 * `effectiveWeight` first: a record that is not staged is only ever original or desired.
 */
export function shiftChanges(record: ShiftRecord, from: number | null, to: number | null): Change[] {
  if (from === to) return [];
  const current: ResourceRecordSet[] =
    from === null
      ? record.original
        ? [record.original]
        : []
      : from >= 100
        ? [record.desired]
        : pair(record, from);
  const next: ResourceRecordSet[] =
    to === null
      ? record.original
        ? [record.original]
        : []
      : to >= 100 || !record.staged
        ? [record.desired]
        : pair(record, to);
  const sameShape =
    current.length === next.length && current.every((r, i) => r.SetIdentifier === next[i]?.SetIdentifier);
  if (sameShape) return next.map((r) => ({ Action: 'UPSERT', ResourceRecordSet: r }));
  return [
    ...current.map((r): Change => ({ Action: 'DELETE', ResourceRecordSet: r })),
    // A plain record is written with UPSERT (the same as CREATE after the DELETEs in one batch, and
    // safe when an identical record existed before, which moto mistakes for a duplicate); weighted
    // ones with CREATE, which moto applies by set identifier.
    ...next.map((r): Change => ({ Action: r.SetIdentifier ? 'CREATE' : 'UPSERT', ResourceRecordSet: r })),
  ];
}

/** Where a staged record stands after the steps applied so far, as a weight or null. */
export function effectiveWeight(record: ShiftRecord, applied: number | null): number | null {
  if (applied === null) return null;
  if (!record.staged) return 100;
  return applied;
}

/**
 * The zone as reconciliation should see it while an earlier attempt of the same failback left a
 * shift part-way: its weighted pairs are ours, so they read as the original record again.
 */
export function withoutShiftInProgress(
  now: readonly ResourceRecordSet[],
  records: readonly ShiftRecord[],
): ResourceRecordSet[] {
  const ours = new Set(records.flatMap((r) => [pairId(r.key, 'home'), pairId(r.key, 'away')]));
  const shown = now.filter((r) => !(r.SetIdentifier && ours.has(r.SetIdentifier)));
  for (const record of records) {
    const hadPair = now.some((r) => r.SetIdentifier === pairId(record.key, 'home'));
    if (hadPair && record.original) shown.push(record.original);
  }
  return shown;
}
