/**
 * Record sets in one comparable form.
 * The same record set can come back from Route 53 spelled differently from how it was written: names
 * escaped or without the trailing dot, values in another order, alias targets in another case. Comparing
 * canonical forms means such differences never look like someone changed the record.
 */
import { createHash } from 'node:crypto';
import type { AliasTarget, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { canonicalJson } from './canonical-json';
import { normaliseDnsName } from './dns-name';
import { compareKeys, recordKey } from './record-key';

/** A record set with its name, type, values and alias target in canonical form; values are plain strings. */
export type CanonicalRecord = Omit<ResourceRecordSet, 'Name' | 'Type' | 'ResourceRecords' | 'AliasTarget'> & {
  Name: string;
  Type: string;
  ResourceRecords?: string[];
  AliasTarget?: Required<AliasTarget>;
};

/** Types whose whole value is a DNS name, and types whose value ends in one (`10 mail.example.com`). */
const NAME_VALUED_TYPES = new Set(['CNAME', 'NS', 'PTR']);
const NAME_LAST_TYPES = new Set(['MX', 'SRV']);

export function canonicalRecord(rrset: ResourceRecordSet): CanonicalRecord {
  const type = (rrset.Type ?? '').toUpperCase();
  // Spread first so any routing field (Weight, Failover, GeoLocation, ...) takes part in the comparison.
  const { ResourceRecords, AliasTarget, ...rest } = rrset;
  const canonical: CanonicalRecord = { ...rest, Name: normaliseDnsName(rrset.Name ?? ''), Type: type };
  if (rrset.SetIdentifier === '') delete canonical.SetIdentifier;
  const values = (ResourceRecords ?? []).map((record) => canonicalValue(type, record.Value ?? ''));
  // Route 53 answers with the values as a set: neither their order nor a repeat means anything.
  if (values.length > 0) canonical.ResourceRecords = [...new Set(values)].sort();
  if (AliasTarget) {
    canonical.AliasTarget = {
      HostedZoneId: (AliasTarget.HostedZoneId ?? '').replace(/^\/hostedzone\//, ''),
      DNSName: normaliseDnsName(AliasTarget.DNSName ?? ''),
      EvaluateTargetHealth: AliasTarget.EvaluateTargetHealth ?? false,
    };
  }
  return canonical;
}

/** Whether two record sets are the same as far as Route 53 is concerned. */
export function sameRecord(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return canonicalJson(canonicalRecord(a)) === canonicalJson(canonicalRecord(b));
}

/** Whether two optional record sets are both absent or the same record. */
export function sameOptionalRecord(
  a: ResourceRecordSet | undefined,
  b: ResourceRecordSet | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameRecord(a, b);
}

/**
 * A SHA-256 (hex) of a zone's record sets that does not depend on their order or spelling, so a snapshot
 * can be checked against the zone it was taken from.
 */
export function zoneChecksum(records: readonly ResourceRecordSet[]): string {
  const canonical = records
    .map((rrset) => ({ key: recordKey(rrset), text: canonicalJson(canonicalRecord(rrset)) }))
    .sort((a, b) => compareKeys(a.key, b.key) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map((entry) => entry.text);
  return createHash('sha256')
    .update(`[${canonical.join(',')}]`)
    .digest('hex');
}

function canonicalValue(type: string, value: string): string {
  if (NAME_VALUED_TYPES.has(type)) return normaliseDnsName(value);
  if (NAME_LAST_TYPES.has(type)) {
    const fields = value.trim().split(/\s+/);
    const host = fields.pop();
    return host === undefined ? value : [...fields, normaliseDnsName(host)].join(' ');
  }
  return value;
}
