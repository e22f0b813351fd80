/**
 * Moving a managed record home in weighted stages: the simple record becomes a weighted pair
 * (home, away) whose weights walk the plan's steps, and collapses back to one simple record on
 * the home side at 100 %. Pure: every step and every rollback is a list of Route 53 changes.
 *
 * A stateful record (clients write data through it: a database's CNAME) is never a pair: two
 * answers would send writes to two databases. It moves once, for every client, at the data
 * cutover, and nothing but that cutover moves it.
 *
 * Route 53 (and moto) delete weighted records by set identifier, so each record's pair gets
 * identifiers of its own, derived from the record's key.
 */
import { createHash } from 'node:crypto';
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { sameRecord } from '../dns/canonical-record';

export interface ShiftRecord {
  readonly key: string;
  /** The record as it was when the shift was planned (absent when someone deleted it and prefer=failback). */
  readonly original?: ResourceRecordSet;
  /** The record as it must end: pointing at the new primary. */
  readonly desired: ResourceRecordSet;
  /** Staged records become a weighted pair; the others move at once (routing-policy records, re-creations). */
  readonly staged: boolean;
  /** Moves at the data cutover and only then; never staged. */
  readonly stateful?: boolean;
  /** Where a stateless record points while a `maintenance` write freeze holds. */
  readonly maintenance?: ResourceRecordSet;
}

/** How far a failback's DNS shift has gone, for all its records at once. */
export interface ShiftPosition {
  /** Stateless records: null before the shift, a weight while staged, 100 when home. */
  readonly applied: number | null;
  /** Stateful records have moved home (the data cutover). */
  readonly dataMoved: boolean;
  /** Stateless records not yet shifted point at the maintenance target. */
  readonly maintenance: boolean;
}

/** Where one record stands: as it was, at the maintenance target, a weighted pair, or home. */
export type RecordPosition = 'original' | 'maintenance' | 'desired' | number;

export function recordPosition(record: ShiftRecord, at: ShiftPosition): RecordPosition {
  if (record.stateful) return at.dataMoved ? 'desired' : 'original';
  if (at.applied === null) return at.maintenance && record.maintenance ? 'maintenance' : 'original';
  if (!record.staged || at.applied >= 100) return 'desired';
  return at.applied;
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

function recordSets(record: ShiftRecord, position: RecordPosition): ResourceRecordSet[] {
  if (position === 'original') return record.original ? [record.original] : [];
  if (position === 'maintenance') return record.maintenance ? [record.maintenance] : [];
  if (position === 'desired' || position >= 100) return [record.desired];
  return pair(record, position);
}

/** The changes that take a record from one position to another (see `recordPosition`). */
export function shiftChanges(record: ShiftRecord, from: RecordPosition, to: RecordPosition): Change[] {
  if (from === to) return [];
  const current = recordSets(record, from);
  const next = recordSets(record, to);
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

/**
 * The zone as reconciliation should see it while an earlier attempt of the same failback left a
 * shift part-way: what the shift wrote (weighted pairs, the maintenance target, data records moved
 * home) is ours, so it reads as the original record again, not as a hand edit.
 */
export function withoutShiftInProgress(
  now: readonly ResourceRecordSet[],
  records: readonly ShiftRecord[],
  at: ShiftPosition,
): ResourceRecordSet[] {
  let shown = [...now];
  for (const record of records) {
    const position = recordPosition(record, at);
    if (position === 'original') continue;
    const written = recordSets(record, position);
    const present = written.every((w) =>
      w.SetIdentifier
        ? shown.some((r) => r.SetIdentifier === w.SetIdentifier)
        : shown.some((r) => sameRecordSet(r, w)),
    );
    if (!present) continue;
    shown = shown.filter(
      (r) =>
        !written.some((w) => (w.SetIdentifier ? r.SetIdentifier === w.SetIdentifier : sameRecordSet(r, w))),
    );
    if (record.original) shown.push(record.original);
  }
  return shown;
}

function sameRecordSet(a: ResourceRecordSet, b: ResourceRecordSet | undefined): boolean {
  return b !== undefined && sameRecord(a, b);
}
