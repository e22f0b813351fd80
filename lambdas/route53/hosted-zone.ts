/**
 * Route 53 access for one hosted zone: find it, read every record set, apply a change batch and
 * wait for it to be in sync. Reads page through everything; writes are one batch per call.
 */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { normaliseDnsName } from '../dns/dns-name';
import { recordKey } from '../dns/record-key';
import type { HostedZonePlan } from '../plan/plan-schema';
import { InvalidInputError, NotReadyError } from '../runtime/task-errors';

export interface ZoneRef {
  readonly id: string;
  readonly name: string;
}

/** `/hostedzone/Z123` and `Z123` are the same zone; we keep the bare id. */
export function bareZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

/** The zone's id: the plan's, or the one zone of that name (public or private as the plan says). */
export async function resolveZone(route53: Route53Client, zone: HostedZonePlan): Promise<ZoneRef> {
  const name = normaliseDnsName(zone.name);
  if (zone.id) return { id: bareZoneId(zone.id), name };
  const { HostedZones = [] } = await route53.send(
    new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 100 }),
  );
  const matches = HostedZones.filter(
    (z) => normaliseDnsName(z.Name ?? '') === name && (z.Config?.PrivateZone ?? false) === zone.private,
  );
  if (matches.length !== 1 || !matches[0]?.Id) {
    throw new InvalidInputError(
      matches.length === 0
        ? `no ${zone.private ? 'private' : 'public'} hosted zone named ${name}; add its id to the plan`
        : `${matches.length} hosted zones are named ${name}; add the id of the one to manage to the plan`,
    );
  }
  return { id: bareZoneId(matches[0].Id), name };
}

/**
 * Every record set in the zone, all pages. The next page starts at (name, type, set identifier);
 * an emulator that ignores the identifier can repeat records, so records are de-duplicated by key
 * and a page that brings nothing new ends the loop.
 */
export async function listZoneRecords(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const byKey = new Map<string, ResourceRecordSet>();
  let start: { name?: string; type?: string; identifier?: string } = {};
  for (;;) {
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: start.name,
        StartRecordType: start.type as never,
        StartRecordIdentifier: start.identifier,
        MaxItems: 300,
      }),
    );
    let added = 0;
    for (const record of page.ResourceRecordSets ?? []) {
      const key = recordKey(record);
      if (!byKey.has(key)) {
        byKey.set(key, record);
        added++;
      }
    }
    if (!page.IsTruncated || added === 0) break;
    start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
  }
  return [...byKey.values()];
}

/** Applies one change batch; returns the change id to wait on. */
export async function applyChangeBatch(
  route53: Route53Client,
  zoneId: string,
  changes: readonly Change[],
  comment: string,
): Promise<string> {
  const { ChangeInfo } = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Comment: comment.slice(0, 256), Changes: [...changes] },
    }),
  );
  return ChangeInfo?.Id ?? '';
}

/** Throws NotReadyError while the change is PENDING, so the state machine's Retry does the waiting. */
export async function assertInSync(route53: Route53Client, changeIds: readonly string[]): Promise<void> {
  for (const id of changeIds) {
    const { ChangeInfo } = await route53.send(new GetChangeCommand({ Id: id }));
    if (ChangeInfo?.Status !== 'INSYNC')
      throw new NotReadyError(`Route 53 change ${id} is ${ChangeInfo?.Status}`);
  }
}
