/** Small builders for record sets, so tests read as the zone they describe. */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';

type RecordType = NonNullable<ResourceRecordSet['Type']>;

export function rrset(
  name: string,
  type: RecordType,
  values: string[],
  extra: Partial<ResourceRecordSet> = {},
): ResourceRecordSet {
  return { Name: name, Type: type, TTL: 60, ResourceRecords: values.map((Value) => ({ Value })), ...extra };
}

export function upsert(record: ResourceRecordSet): Change {
  return { Action: 'UPSERT', ResourceRecordSet: record };
}

export function create(record: ResourceRecordSet): Change {
  return { Action: 'CREATE', ResourceRecordSet: record };
}

export function remove(record: ResourceRecordSet): Change {
  return { Action: 'DELETE', ResourceRecordSet: record };
}

/** The SOA and apex NS records every hosted zone has. */
export function zoneApex(zone = 'example.com.'): ResourceRecordSet[] {
  return [
    rrset(zone, 'SOA', [`ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`], {
      TTL: 900,
    }),
    rrset(zone, 'NS', ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.'], { TTL: 172800 }),
  ];
}
