/**
 * What every floor shares: bulk describes that page, a poll that re-asks at once (as the workflows
 * do with `shortenWaitsTo: 0`), and the one DNS pass: list the zone once, UPSERT the managed records
 * in as few change batches as Route 53's request limits allow.
 *
 * The floor is written against the SDK directly and shares no logic with Pendulum's tasks, so it
 * measures what the estate costs, not what Pendulum's code costs twice.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Filter,
  type Image,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  type DBInstance,
  type DBSnapshot,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { ManagedRecord, Plan } from '../lambdas/plan/plan-schema';

/** Calls in flight at once, as Pendulum's tasks use (lambdas/runtime/bounded-all.ts callers). */
export const FLOOR_CONCURRENCY = 10;
/** RDS accepts at most 100 values in a filter; EC2 pages hold at most 1,000 items. */
const RDS_FILTER_MAX = 100;
const POLL_LIMIT = 200;

/** Tag that marks everything a floor makes, and the phase that made it. */
export const FLOOR_TAG = 'bench-floor';

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Asks `check` again at once until it says done; each ask is its own API call(s). */
export async function pollUntil<T>(what: string, check: () => Promise<{ done: boolean; value: T }>) {
  for (let attempt = 1; attempt <= POLL_LIMIT; attempt++) {
    const { done, value } = await check();
    if (done) return value;
  }
  throw new Error(`floor: ${what} not ready after ${POLL_LIMIT} checks`);
}

/** Error names that say a create (or delete) already happened. */
export const ALREADY = {
  image: ['InvalidAMIName.Duplicate'],
  snapshot: ['DBSnapshotAlreadyExistsFault', 'DBSnapshotAlreadyExists'],
  db: ['DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists'],
  dbGone: ['DBInstanceNotFoundFault', 'DBInstanceNotFound'],
} as const;

/**
 * A create whose SDK retry follows an attempt that went through (the emulator answered 5xx
 * after doing it) fails as "already exists": that is done, not an error. Still one call.
 */
export async function tolerate<T>(call: Promise<T>, done: readonly string[]): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (done.includes((error as Error).name)) return undefined;
    throw error;
  }
}

export async function describeInstances(ec2: EC2Client, filters: Filter[]): Promise<Instance[]> {
  const found: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, NextToken }),
    );
    for (const r of page.Reservations ?? []) found.push(...(r.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

export async function describeOwnImages(ec2: EC2Client, filters: Filter[]): Promise<Image[]> {
  const found: Image[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: filters, MaxResults: 1000, NextToken }),
    );
    found.push(...(page.Images ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

/** Manual snapshots of the given DB instances (100 identifiers per filter), every page. */
export async function describeDbSnapshots(
  rds: RDSClient,
  dbInstances: readonly string[],
): Promise<DBSnapshot[]> {
  const found: DBSnapshot[] = [];
  for (const ids of chunks(dbInstances, RDS_FILTER_MAX)) {
    let Marker: string | undefined;
    do {
      const page = await rds.send(
        new DescribeDBSnapshotsCommand({
          SnapshotType: 'manual',
          Filters: [{ Name: 'db-instance-id', Values: ids }],
          Marker,
        }),
      );
      found.push(...(page.DBSnapshots ?? []));
      Marker = page.Marker;
    } while (Marker);
  }
  return found;
}

/** The given DB instances (100 identifiers per filter), every page. */
export async function describeDbInstances(
  rds: RDSClient,
  identifiers: readonly string[],
): Promise<DBInstance[]> {
  const found: DBInstance[] = [];
  for (const ids of chunks(identifiers, RDS_FILTER_MAX)) {
    let Marker: string | undefined;
    do {
      const page = await rds.send(
        new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ids }], Marker }),
      );
      found.push(...(page.DBInstances ?? []));
      Marker = page.Marker;
    } while (Marker);
  }
  return found;
}

export const address = (instance: Instance) => instance.PublicIpAddress ?? instance.PrivateIpAddress ?? '';

/** Route 53's per-request limits (UPSERT values and characters count twice). */
export const ROUTE53_LIMITS = { changes: 1000, values: 1000, valueChars: 32000 } as const;

/**
 * UPSERTs packed in order into the fewest batches a greedy pass gets under Route 53's limits: one
 * batch per zone whenever the changes fit in one request.
 */
export function packUpserts(records: readonly ResourceRecordSet[]): Change[][] {
  const batches: { changes: Change[]; values: number; chars: number }[] = [];
  for (const record of records) {
    const values = (record.ResourceRecords ?? []).length * 2;
    const chars = (record.ResourceRecords ?? []).reduce((n, v) => n + (v.Value ?? '').length, 0) * 2;
    let batch = batches.find(
      (b) =>
        b.changes.length < ROUTE53_LIMITS.changes &&
        b.values + values <= ROUTE53_LIMITS.values &&
        b.chars + chars <= ROUTE53_LIMITS.valueChars,
    );
    if (!batch) {
      batch = { changes: [], values: 0, chars: 0 };
      batches.push(batch);
    }
    batch.changes.push({ Action: 'UPSERT', ResourceRecordSet: record });
    batch.values += values;
    batch.chars += chars;
  }
  return batches.map((b) => b.changes);
}

/** Every record set of the zone, one pass over its pages. */
export async function listZone(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const records: ResourceRecordSet[] = [];
  const seen = new Set<string>();
  let start: { name?: string; type?: string; id?: string } = {};
  for (;;) {
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: start.name,
        StartRecordType: start.type as never,
        StartRecordIdentifier: start.id,
        MaxItems: 300,
      }),
    );
    let added = 0;
    for (const r of page.ResourceRecordSets ?? []) {
      const key = `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      records.push(r);
      added++;
    }
    if (!page.IsTruncated || added === 0) break;
    start = { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier };
  }
  return records;
}

export interface RecordValues {
  /** Addresses of each role's instances in the region DNS moves to. */
  readonly roles: Record<string, string[]>;
  /** Endpoint of each plan database (by the plan's identifier) there. */
  readonly databases: Record<string, string>;
}

function valuesOf(record: ManagedRecord, region: string, values: RecordValues): string[] {
  const t = record.target;
  if ('role' in t) return [...(values.roles[t.role] ?? [])].sort();
  if ('database' in t) return values.databases[t.database] ? [values.databases[t.database] as string] : [];
  return t.values[region] ?? [];
}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();

/**
 * The DNS move: per zone one listing pass, then the managed records that differ, UPSERTed in the
 * fewest batches. Returns the number of change batches sent.
 */
export async function moveDns(
  route53: Route53Client,
  plan: Plan,
  zoneIds: Record<string, string>,
  region: string,
  values: RecordValues,
  /** The moves in order, each the records it carries (a failback: its data records, then the rest). */
  moves: readonly ((record: ManagedRecord) => boolean)[] = [() => true],
): Promise<number> {
  let sent = 0;
  for (const zone of plan.dns.zones) {
    const zoneId = zoneIds[zone.name] ?? zone.id;
    if (!zoneId) throw new Error(`floor: no zone id for ${zone.name}`);
    const current = new Map(
      (await listZone(route53, zoneId)).map((r) => [`${fqdn(r.Name ?? '')}|${r.Type}`, r] as const),
    );
    for (const only of moves) {
      const upserts: ResourceRecordSet[] = [];
      for (const record of zone.records.filter(only)) {
        const wanted = valuesOf(record, region, values);
        if (wanted.length === 0) throw new Error(`floor: no value for ${record.name} in ${region}`);
        const now = current.get(`${fqdn(record.name)}|${record.type}`);
        const have = (now?.ResourceRecords ?? []).map((v) => v.Value ?? '').sort();
        if (now?.TTL === record.ttl && JSON.stringify(have) === JSON.stringify(wanted)) continue;
        upserts.push({
          Name: fqdn(record.name),
          Type: record.type,
          TTL: record.ttl,
          ResourceRecords: wanted.map((Value) => ({ Value })),
        });
      }
      for (const batch of packUpserts(upserts)) {
        await route53.send(
          new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: batch } }),
        );
        sent++;
      }
    }
  }
  return sent;
}
