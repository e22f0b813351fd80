/**
 * Points the managed records of every zone at one region's targets: UPSERTs only where a record
 * differs, one change batch per zone, unmanaged records untouched.
 */
import type { Change, ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { sameOptionalRecord } from '../dns/canonical-record';
import { toChangeBatches } from '../dns/change-batches';
import { indexByKey, recordKey } from '../dns/record-key';
import type { Plan } from '../plan/plan-schema';
import { applyChangeBatch, listZoneRecords, resolveZone } from '../route53/hosted-zone';
import { desiredRecords, type RecordTargets, targetsFromInventory } from './record-targets';
import type { RecoveredResource } from './recovered-resource';

export interface ZoneCutover {
  readonly id: string;
  readonly name: string;
  /** Every managed record as this cutover wants it (failback's "cutover" side of the merge). */
  readonly written: ResourceRecordSet[];
  /** What the records were just before (for the report's before → after diff). */
  readonly before: (ResourceRecordSet | null)[];
  readonly changes: number;
  readonly changeIds: string[];
}

export interface DnsCutover {
  readonly region: string;
  readonly at: string;
  readonly zones: ZoneCutover[];
}

/** The changes one zone needs; pure so dry runs and reports use the same logic. */
export function zoneChanges(
  current: readonly ResourceRecordSet[],
  desired: readonly ResourceRecordSet[],
): { changes: Change[]; before: (ResourceRecordSet | null)[] } {
  const index = indexByKey(current);
  const before = desired.map((record) => index.get(recordKey(record)) ?? null);
  const changes = desired
    .filter((record, i) => !sameOptionalRecord(before[i] ?? undefined, record))
    .map((record): Change => ({ Action: 'UPSERT', ResourceRecordSet: record }));
  return { changes, before };
}

export interface CutoverOptions {
  readonly plan: Plan;
  readonly region: string;
  readonly resources: readonly RecoveredResource[];
  readonly comment: string;
  readonly now: () => Date;
  /** Compute only; apply nothing. */
  readonly dryRun?: boolean;
  /** Override targets (drills point other names; failback points at new primaries). */
  readonly targets?: (privateZone: boolean) => RecordTargets;
}

export async function cutOverDns(route53: Route53Client, options: CutoverOptions): Promise<DnsCutover> {
  const zones: ZoneCutover[] = [];
  for (const zonePlan of options.plan.dns.zones) {
    const zone = await resolveZone(route53, zonePlan);
    const current = await listZoneRecords(route53, zone.id);
    const targets =
      options.targets?.(zonePlan.private) ?? targetsFromInventory(options.resources, zonePlan.private);
    const desired = desiredRecords(zonePlan, options.region, targets, current);
    const { changes, before } = zoneChanges(current, desired);
    const changeIds: string[] = [];
    if (!options.dryRun) {
      for (const batch of toChangeBatches(changes))
        changeIds.push(await applyChangeBatch(route53, zone.id, batch, options.comment));
    }
    zones.push({
      id: zone.id,
      name: zone.name,
      written: desired,
      before,
      changes: changes.length,
      changeIds,
    });
  }
  return { region: options.region, at: options.now().toISOString(), zones };
}
