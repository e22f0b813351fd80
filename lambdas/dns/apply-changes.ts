/**
 * Route 53 change semantics applied to a list of record sets in memory, for tests and the local dry run.
 * It rejects what Route 53 rejects (CREATE of a record set that exists, DELETE of one that does not exist
 * or does not match exactly), and like Route 53 it applies a batch entirely or not at all.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { sameRecord } from './canonical-record';
import { indexByKey, recordKey } from './record-key';

/** The zone after the changes, in its original order with new record sets at the end; the input is untouched. */
export function applyChanges(
  records: readonly ResourceRecordSet[],
  changes: readonly Change[],
): ResourceRecordSet[] {
  const zone = indexByKey(records);
  for (const change of changes) {
    const rrset = change.ResourceRecordSet;
    if (!rrset) throw new Error(`${change.Action ?? 'a'} change has no ResourceRecordSet`);
    const key = recordKey(rrset);
    const existing = zone.get(key);
    switch (change.Action) {
      case 'CREATE':
        if (existing) throw new Error(`CREATE of ${key}: a record set with that key already exists`);
        zone.set(key, rrset);
        break;
      case 'UPSERT':
        zone.set(key, rrset);
        break;
      case 'DELETE':
        if (!existing) throw new Error(`DELETE of ${key}: no such record set`);
        if (!sameRecord(existing, rrset)) {
          throw new Error(`DELETE of ${key}: the values given do not match the record set in the zone`);
        }
        zone.delete(key);
        break;
      default:
        throw new Error(`unknown change action ${String(change.Action)} for ${key}`);
    }
  }
  // A Map keeps the insertion order of its keys, and replacing a value keeps its place.
  return [...zone.values()];
}
