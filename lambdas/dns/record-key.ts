/**
 * The identity of a record set inside a hosted zone.
 * Route 53 allows one record set per name and type, except routing-policy records (weighted, failover,
 * latency, geolocation...), where several share a name and type and the set identifier tells them apart.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { ManagedRecord } from '../plan/plan-schema';
import { normaliseDnsName } from './dns-name';

/** `<normalised name> <TYPE>` or `<normalised name> <TYPE> <set identifier>`, e.g. `www.example.com. A blue`. */
export type RecordKey = string & { readonly __brand: 'RecordKey' };

/** The fields that identify a record set; both a Route 53 record set and a Change's record set have them. */
export type RecordIdentity = Pick<ResourceRecordSet, 'Name' | 'Type' | 'SetIdentifier'>;

/**
 * The key of a record set. The normalised name holds no spaces (they stay escaped) and the type none, so
 * everything after the second space is the set identifier and keys never collide.
 */
export function recordKey(rrset: RecordIdentity): RecordKey {
  if (!rrset.Name) throw new Error('a record set without a Name has no key');
  if (!rrset.Type) throw new Error(`record set ${rrset.Name} has no Type, so it has no key`);
  const nameAndType = `${normaliseDnsName(rrset.Name)} ${rrset.Type.toUpperCase()}`;
  // Route 53 set identifiers are 1 to 128 characters, so an empty one means there is none.
  return (rrset.SetIdentifier ? `${nameAndType} ${rrset.SetIdentifier}` : nameAndType) as RecordKey;
}

/** Record sets by key; a zone never holds two record sets with one key, so a repeat is a caller's bug. */
export function indexByKey(records: readonly ResourceRecordSet[]): Map<RecordKey, ResourceRecordSet> {
  const index = new Map<RecordKey, ResourceRecordSet>();
  for (const rrset of records) {
    const key = recordKey(rrset);
    if (index.has(key)) throw new Error(`two record sets share the key ${key}`);
    index.set(key, rrset);
  }
  return index;
}

/** Keys in a stable order that does not depend on the locale. */
export function compareKeys(a: RecordKey, b: RecordKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The key a plan's managed record will have once written, so plan records can be matched to the zone. */
export function managedRecordKey(record: Pick<ManagedRecord, 'name' | 'type' | 'setIdentifier'>): RecordKey {
  return recordKey({ Name: record.name, Type: record.type, SetIdentifier: record.setIdentifier });
}
