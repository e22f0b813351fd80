/**
 * What changed in a hosted zone between two reads of it, record set by record set.
 * Record sets are matched by key and compared in canonical form, so a record that only comes back
 * spelled differently counts as unchanged.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { sameRecord } from './canonical-record';
import { compareKeys, indexByKey } from './record-key';

export interface ZoneDiff {
  added: ResourceRecordSet[];
  removed: ResourceRecordSet[];
  changed: { before: ResourceRecordSet; after: ResourceRecordSet }[];
  /** How many record sets are the same in both. */
  unchanged: number;
}

/** Each list is ordered by record key, so the same two zones always give the same diff. */
export function diffZone(
  before: readonly ResourceRecordSet[],
  after: readonly ResourceRecordSet[],
): ZoneDiff {
  const beforeByKey = indexByKey(before);
  const afterByKey = indexByKey(after);
  const keys = [...new Set([...beforeByKey.keys(), ...afterByKey.keys()])].sort(compareKeys);
  const diff: ZoneDiff = { added: [], removed: [], changed: [], unchanged: 0 };
  for (const key of keys) {
    const was = beforeByKey.get(key);
    const is = afterByKey.get(key);
    if (was === undefined && is !== undefined) diff.added.push(is);
    else if (was !== undefined && is === undefined) diff.removed.push(was);
    else if (was !== undefined && is !== undefined) {
      if (sameRecord(was, is)) diff.unchanged += 1;
      else diff.changed.push({ before: was, after: is });
    }
  }
  return diff;
}
