/**
 * Failback's DNS: the three-way merge of every managed zone (snapshot before failover, what
 * failover wrote, the zone now) against the records pointing at the new primary, turned into the
 * records a shift moves. Pure.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { managedRecordKey, recordKey } from '../dns/record-key';
import { type FailbackPreference, threeWayMerge, type ZoneMergeResult } from '../dns/three-way-merge';
import { desiredRecords, type RecordTargets } from '../failover/record-targets';
import { isStatefulRecord } from '../plan/failback-freeze';
import type { HostedZonePlan, MaintenanceTarget } from '../plan/plan-schema';
import type { ShiftRecord } from './staged-dns';

export interface ZoneFailbackInput {
  readonly zonePlan: HostedZonePlan;
  readonly zoneName: string;
  readonly targetRegion: string;
  readonly targets: RecordTargets;
  readonly base: readonly ResourceRecordSet[];
  readonly cutover: readonly ResourceRecordSet[];
  readonly now: readonly ResourceRecordSet[];
  readonly prefer?: FailbackPreference;
  /** Where stateless records point during a `maintenance` write freeze, when the plan freezes so. */
  readonly maintenance?: MaintenanceTarget;
}

export interface ZoneFailback {
  readonly merge: ZoneMergeResult;
  readonly desired: ResourceRecordSet[];
  readonly shift: ShiftRecord[];
}

export function planZoneFailback(input: ZoneFailbackInput): ZoneFailback {
  const desired = desiredRecords(input.zonePlan, input.targetRegion, input.targets, input.now);
  const merge = threeWayMerge({
    base: input.base,
    cutover: input.cutover,
    now: input.now,
    desired,
    prefer: input.prefer,
    zoneName: input.zoneName,
  });
  const nowByKey = new Map(input.now.map((r) => [recordKey(r) as string, r]));
  const stateful = new Set(
    input.zonePlan.records.filter(isStatefulRecord).map((r) => managedRecordKey(r) as string),
  );
  const shift = merge.changes.map((change): ShiftRecord => {
    const record = change.ResourceRecordSet as ResourceRecordSet;
    const key = recordKey(record) as string;
    const original = nowByKey.get(key);
    if (stateful.has(key))
      // Data records are never a weighted pair: two answers would mean two writable databases.
      return { key, ...(original ? { original } : {}), desired: record, staged: false, stateful: true };
    const maintenance = maintenanceRecord(record, input.maintenance);
    return {
      key,
      ...(original ? { original } : {}),
      desired: record,
      ...(maintenance ? { maintenance } : {}),
      // Only a plain record of the same type can become a weighted pair; anything else moves at once.
      staged:
        original !== undefined &&
        !original.SetIdentifier &&
        !record.SetIdentifier &&
        original.Type === record.Type &&
        !original.AliasTarget,
    };
  });
  return { merge, desired, shift };
}

/** The record as it stands during a maintenance freeze: same name and type, the maintenance values. */
function maintenanceRecord(
  record: ResourceRecordSet,
  target: MaintenanceTarget | undefined,
): ResourceRecordSet | undefined {
  if (!target || record.SetIdentifier || record.AliasTarget) return undefined;
  const values =
    record.Type === 'A'
      ? target.A
      : record.Type === 'AAAA'
        ? target.AAAA
        : record.Type === 'CNAME' && target.CNAME
          ? [target.CNAME]
          : undefined;
  if (!values) return undefined;
  return {
    Name: record.Name,
    Type: record.Type,
    TTL: record.TTL,
    ResourceRecords: values.map((Value) => ({ Value })),
  };
}

/** Targets that stand for resources failback has not created yet (for conflict detection and dry runs). */
export function placeholderTargets(
  roles: readonly string[],
  databases: readonly string[],
  region: string,
  /** The Aurora clusters among `databases`: records may name their reader endpoint too. */
  clusters: readonly string[] = [],
): RecordTargets {
  return {
    roleAddresses: Object.fromEntries(roles.map((role) => [role, [`<new ${role} instances in ${region}>`]])),
    databaseEndpoints: Object.fromEntries(databases.map((db) => [db, `<new ${db} endpoint in ${region}>`])),
    readerEndpoints: Object.fromEntries(
      clusters.map((db) => [db, `<new ${db} reader endpoint in ${region}>`]),
    ),
  };
}
