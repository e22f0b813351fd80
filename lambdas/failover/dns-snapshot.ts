/**
 * A DNS snapshot: every record set of each managed zone, as JSON with a checksum and a count.
 * The one taken before failover is the base that failback reconciles against.
 */
import type { ResourceRecordSet, Route53Client } from '@aws-sdk/client-route-53';
import { zoneChecksum } from '../dns/canonical-record';
import type { Plan } from '../plan/plan-schema';
import { listZoneRecords, resolveZone } from '../route53/hosted-zone';

export interface ZoneSnapshot {
  readonly id: string;
  readonly name: string;
  readonly takenAt: string;
  readonly count: number;
  readonly checksum: string;
  readonly records: ResourceRecordSet[];
}

export interface DnsSnapshot {
  readonly app: string;
  readonly takenAt: string;
  readonly zones: ZoneSnapshot[];
}

export async function takeDnsSnapshot(
  route53: Route53Client,
  plan: Plan,
  now: () => Date,
): Promise<DnsSnapshot> {
  const zones: ZoneSnapshot[] = [];
  for (const zonePlan of plan.dns.zones) {
    const zone = await resolveZone(route53, zonePlan);
    const records = await listZoneRecords(route53, zone.id);
    zones.push({
      id: zone.id,
      name: zone.name,
      takenAt: now().toISOString(),
      count: records.length,
      checksum: zoneChecksum(records),
      records,
    });
  }
  return { app: plan.app, takenAt: now().toISOString(), zones };
}

/** The episode's pre-failover snapshot lives beside the episode, not the run, so re-runs keep it. */
export function episodeSnapshotKey(app: string, failoverId: string): string {
  return `episodes/${app}/${failoverId}/dns-snapshot.json`;
}
