/**
 * What each managed record must say in a given region: the role's instance addresses, the
 * database endpoint, or the plan's fixed value for that region. Pure, shared by failover,
 * failback and drills.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { normaliseDnsName } from '../dns/dns-name';
import { indexByKey, managedRecordKey } from '../dns/record-key';
import type { HostedZonePlan, ManagedRecord } from '../plan/plan-schema';
import { ValidationFailedError } from '../runtime/task-errors';
import type { RecoveredResource } from './recovered-resource';

export interface RecordTargets {
  /** Addresses of the instances of each role. */
  readonly roleAddresses: Record<string, string[]>;
  /** Endpoint of each database, by the plan's identifier. */
  readonly databaseEndpoints: Record<string, string>;
  /** Reader endpoint of each Aurora cluster, by the plan's cluster identifier. */
  readonly readerEndpoints?: Record<string, string>;
}

/** Targets from recovered resources: public addresses for public zones, private for private ones. */
export function targetsFromInventory(
  resources: readonly RecoveredResource[],
  privateZone: boolean,
): RecordTargets {
  const roleAddresses: Record<string, string[]> = {};
  const databaseEndpoints: Record<string, string> = {};
  const readerEndpoints: Record<string, string> = {};
  for (const resource of resources) {
    if (resource.kind === 'aurora' && resource.readerEndpoint)
      readerEndpoints[resource.source] = resource.readerEndpoint;
    if (resource.kind === 'ec2') {
      const address = privateZone ? resource.privateIp : (resource.publicIp ?? resource.privateIp);
      if (address) roleAddresses[resource.role] = [...(roleAddresses[resource.role] ?? []), address];
    } else if (resource.endpoint) {
      databaseEndpoints[resource.source] = resource.endpoint;
    }
  }
  for (const list of Object.values(roleAddresses)) list.sort();
  return { roleAddresses, databaseEndpoints, readerEndpoints };
}

/** Routing-policy fields a managed record keeps from the zone: we change values, not routing. */
const ROUTING_FIELDS = [
  'Weight',
  'Region',
  'Failover',
  'GeoLocation',
  'MultiValueAnswer',
  'HealthCheckId',
  'CidrRoutingConfig',
  'GeoProximityLocation',
] as const;

function valuesFor(record: ManagedRecord, region: string, targets: RecordTargets): string[] {
  const target = record.target;
  if ('role' in target) return targets.roleAddresses[target.role] ?? [];
  if ('database' in target) {
    // An Aurora cluster's database endpoint is its writer; `reader` names its reader endpoint.
    const endpoint =
      target.endpoint === 'reader'
        ? targets.readerEndpoints?.[target.database]
        : targets.databaseEndpoints[target.database];
    return endpoint ? [endpoint] : [];
  }
  return target.values[region] ?? [];
}

function quoteTxt(value: string): string {
  return value.startsWith('"') ? value : `"${value.replace(/"/g, '\\"')}"`;
}

/**
 * The managed records of one zone as they must be in `region`. `current` supplies the routing
 * fields of records that already exist. A record with no target value is an error that names it.
 */
export function desiredRecords(
  zone: HostedZonePlan,
  region: string,
  targets: RecordTargets,
  current: readonly ResourceRecordSet[],
): ResourceRecordSet[] {
  const existing = indexByKey(current);
  const empty: string[] = [];
  const records = zone.records.map((record): ResourceRecordSet => {
    const values = valuesFor(record, region, targets);
    if (values.length === 0) empty.push(`${record.name} ${record.type}`);
    const before = existing.get(managedRecordKey(record));
    const routing: Partial<ResourceRecordSet> = {};
    for (const field of ROUTING_FIELDS)
      if (before?.[field] !== undefined) (routing as Record<string, unknown>)[field] = before[field];
    return {
      Name: before?.Name ?? normaliseDnsName(record.name),
      Type: record.type,
      ...(record.setIdentifier ? { SetIdentifier: record.setIdentifier } : {}),
      ...routing,
      TTL: record.ttl,
      ResourceRecords: values.map((Value) => ({ Value: record.type === 'TXT' ? quoteTxt(Value) : Value })),
    };
  });
  if (empty.length > 0) {
    throw new ValidationFailedError(
      `no target value in ${region} for ${empty.length} managed record(s): ${empty.slice(0, 10).join(', ')}`,
      {
        records: empty.slice(0, 50),
      },
    );
  }
  return records;
}
