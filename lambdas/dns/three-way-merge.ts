/**
 * The failback merge for one hosted zone.
 * Failback must point the managed records back at the primary without undoing anything people did to the
 * zone while it was failed over. Three reads of the zone make that possible: `base` (before failover),
 * `cutover` (what failover wrote) and `now`. A managed record still as failover wrote it is Pendulum's to
 * change; one that someone edited or deleted since is a conflict that a person (or `prefer`) decides; and
 * a record Pendulum never managed is never written at all, whatever happened to it.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { sameOptionalRecord } from './canonical-record';
import { normaliseDnsName } from './dns-name';
import { compareKeys, indexByKey, type RecordKey } from './record-key';

export { applyChanges } from './apply-changes';

/** How a conflict is settled: overwrite the hand edit with the desired record, or keep the zone as it is. */
export type FailbackPreference = 'failback' | 'current';

export interface ZoneMergeInput {
  /** The zone's record sets when failover started, before anything was written. */
  base: readonly ResourceRecordSet[];
  /** The managed record sets as failover wrote them. */
  cutover: readonly ResourceRecordSet[];
  /** The zone as it is now, at failback. */
  now: readonly ResourceRecordSet[];
  /** The managed record sets as failback must leave them, pointing at the primary. */
  desired: readonly ResourceRecordSet[];
  /** Settles conflicts; without it a conflicting record is reported and left alone. */
  prefer?: FailbackPreference;
  /** The zone's apex, to recognise its NS record; without it the apex is the name of the zone's SOA record. */
  zoneName?: string;
}

/** How a record differs between the state failover left and now (or, when unmanaged, between base and now). */
export type InterimChangeKind = 'added' | 'changed' | 'deleted';

/** A managed record someone changed by hand while the zone was failed over. */
export interface DnsConflict {
  key: RecordKey;
  kind: InterimChangeKind;
  base: ResourceRecordSet | undefined;
  cutover: ResourceRecordSet | undefined;
  now: ResourceRecordSet | undefined;
  desired: ResourceRecordSet;
  /** `unresolved` means no change was emitted and someone has to choose. */
  resolution: 'unresolved' | FailbackPreference;
}

/** A change to a record Pendulum does not manage, made during failover and kept by failback. */
export interface PreservedChange {
  key: RecordKey;
  reason: InterimChangeKind;
  base: ResourceRecordSet | undefined;
  now: ResourceRecordSet | undefined;
}

/**
 * - `upsert`: the desired record is written.
 * - `none`: the record is already as desired.
 * - `conflict`: edited by hand during failover, left alone until someone chooses.
 * - `keep-current`: edited by hand during failover, kept because `prefer` is `current`.
 * - `leave`: written by failover but absent from `desired`; failback only upserts, so it stays.
 * - `ignore`: an SOA or apex NS record, which Pendulum never manages.
 */
export type MergeAction = 'upsert' | 'none' | 'conflict' | 'keep-current' | 'leave' | 'ignore';

export interface MergeDecision {
  key: RecordKey;
  action: MergeAction;
  reason: string;
}

export interface ZoneMergeResult {
  /** UPSERTs only, in key order: failback never deletes, so it cannot remove anyone's record. */
  changes: Change[];
  conflicts: DnsConflict[];
  preserved: PreservedChange[];
  /** One per managed record, in key order. */
  decisions: MergeDecision[];
}

/**
 * Merge one zone for failback. Applying `changes` to `now` and merging again gives no changes.
 */
export function threeWayMerge(input: ZoneMergeInput): ZoneMergeResult {
  const base = indexByKey(input.base);
  const cutover = indexByKey(input.cutover);
  const now = indexByKey(input.now);
  const desired = indexByKey(input.desired);
  const neverManaged = neverManagedRecords(input);

  const result: ZoneMergeResult = { changes: [], conflicts: [], preserved: [], decisions: [] };
  const managed = new Set<RecordKey>();
  for (const key of sortedKeys(desired, cutover)) {
    const rrset = (desired.get(key) ?? cutover.get(key)) as ResourceRecordSet;
    if (neverManaged(rrset)) {
      result.decisions.push({ key, action: 'ignore', reason: 'SOA and apex NS records are never managed' });
      continue;
    }
    managed.add(key);
    mergeManagedRecord(key, { base, cutover, now, desired }, input.prefer, result);
  }

  for (const key of sortedKeys(base, now)) {
    if (managed.has(key)) continue;
    const was = base.get(key);
    const is = now.get(key);
    const kind = interimChange(was, is);
    if (kind) result.preserved.push({ key, reason: kind, base: was, now: is });
  }
  return result;
}

type ZoneIndex = Map<RecordKey, ResourceRecordSet>;

function mergeManagedRecord(
  key: RecordKey,
  zones: { base: ZoneIndex; cutover: ZoneIndex; now: ZoneIndex; desired: ZoneIndex },
  prefer: FailbackPreference | undefined,
  result: ZoneMergeResult,
): void {
  const want = zones.desired.get(key);
  const is = zones.now.get(key);
  if (want === undefined) {
    result.decisions.push({
      key,
      action: 'leave',
      reason: 'written by failover but not in desired; failback only writes desired records, so it stays',
    });
    return;
  }
  if (sameOptionalRecord(is, want)) {
    // Nothing to write and nothing to choose, even if someone edited it by hand to exactly this.
    result.decisions.push({ key, action: 'none', reason: 'already as desired' });
    return;
  }
  const upsert = (reason: string) => {
    result.changes.push({ Action: 'UPSERT', ResourceRecordSet: want });
    result.decisions.push({ key, action: 'upsert', reason });
  };
  // A record failover did not write should still be as it was before failover.
  const expected = zones.cutover.has(key) ? zones.cutover.get(key) : zones.base.get(key);
  const kind = interimChange(expected, is);
  if (!kind) {
    upsert('as failover left it; written as desired');
    return;
  }
  const conflict: DnsConflict = {
    key,
    kind,
    base: zones.base.get(key),
    cutover: zones.cutover.get(key),
    now: is,
    desired: want,
    resolution: prefer ?? 'unresolved',
  };
  result.conflicts.push(conflict);
  const what = `${kind} by hand during failover`;
  if (prefer === 'failback')
    upsert(`${what}; overwritten with the desired record because prefer is failback`);
  else if (prefer === 'current') {
    result.decisions.push({ key, action: 'keep-current', reason: `${what}; kept because prefer is current` });
  } else {
    result.decisions.push({
      key,
      action: 'conflict',
      reason: `${what}; left alone until prefer is set to failback or current`,
    });
  }
}

function interimChange(
  before: ResourceRecordSet | undefined,
  after: ResourceRecordSet | undefined,
): InterimChangeKind | undefined {
  if (sameOptionalRecord(before, after)) return undefined;
  if (before === undefined) return 'added';
  if (after === undefined) return 'deleted';
  return 'changed';
}

/**
 * Route 53 owns the SOA record and the apex NS record (they carry the zone's delegation); changing them
 * could take the zone off the internet, so they are excluded even if they appear in cutover or desired.
 */
function neverManagedRecords(input: ZoneMergeInput): (rrset: ResourceRecordSet) => boolean {
  const soa = [...input.now, ...input.base].find((rrset) => rrset.Type?.toUpperCase() === 'SOA');
  const apexName = input.zoneName ?? soa?.Name;
  const apex = apexName === undefined ? undefined : normaliseDnsName(apexName);
  return (rrset) => {
    const type = rrset.Type?.toUpperCase();
    if (type === 'SOA') return true;
    return type === 'NS' && apex !== undefined && normaliseDnsName(rrset.Name ?? '') === apex;
  };
}

function sortedKeys(...indexes: ZoneIndex[]): RecordKey[] {
  return [...new Set(indexes.flatMap((index) => [...index.keys()]))].sort(compareKeys);
}
