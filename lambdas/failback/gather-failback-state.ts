/**
 * Reads what reconciliation needs from AWS and the bucket: the failover's snapshot, what it wrote
 * and recovered, the zones now, and what runs in each region now. One describe per service and
 * region.
 */
import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { ArtifactStore } from '../artifacts/artifact-store';
import type { DnsCutover } from '../failover/dns-cutover';
import type { DnsSnapshot } from '../failover/dns-snapshot';
import { describeInstancesById } from '../failover/ec2-recovery';
import { describeDbInstances } from '../failover/rds-recovery';
import type { Plan } from '../plan/plan-schema';
import { TAG } from '../recovery-points/recovery-point';
import { listZoneRecords, resolveZone } from '../route53/hosted-zone';
import type { AwsClients } from '../runtime/aws-clients';
import { WrongStateError } from '../runtime/task-errors';
import type { RecoveryInstance } from './plan-failback-resources';

export interface FailoverRecord {
  readonly outcomeKey: string;
  readonly dnsSnapshotKey: string;
  readonly dnsCutoverKey: string;
}

export interface ZoneState {
  readonly plan: Plan['dns']['zones'][number];
  readonly id: string;
  readonly name: string;
  readonly base: ResourceRecordSet[];
  readonly cutover: ResourceRecordSet[];
  readonly now: ResourceRecordSet[];
}

export async function readZones(
  clients: AwsClients,
  artifacts: ArtifactStore,
  plan: Plan,
  record: FailoverRecord,
): Promise<ZoneState[]> {
  const [snapshot, cutover] = await Promise.all([
    artifacts.getJson<DnsSnapshot>(record.dnsSnapshotKey),
    artifacts.getJson<DnsCutover>(record.dnsCutoverKey),
  ]);
  const zones: ZoneState[] = [];
  for (const zonePlan of plan.dns.zones) {
    const zone = await resolveZone(clients.route53(), zonePlan);
    const base = snapshot.zones.find((z) => z.id === zone.id);
    const written = cutover.zones.find((z) => z.id === zone.id);
    if (!base)
      throw new WrongStateError(
        `the failover snapshot has no zone ${zone.name} (${zone.id}); it was added to the plan after failover`,
      );
    zones.push({
      plan: zonePlan,
      id: zone.id,
      name: zone.name,
      base: base.records,
      cutover: written?.written ?? [],
      now: await listZoneRecords(clients.route53(), zone.id),
    });
  }
  return zones;
}

async function describeAll(
  ec2: EC2Client,
  filters: { Name: string; Values: string[] }[],
): Promise<Instance[]> {
  const instances: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeInstancesCommand({ Filters: filters, NextToken }));
    for (const r of page.Reservations ?? []) instances.push(...(r.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return instances;
}

const LIVE = { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] };

/**
 * Live instances of planned roles in the recovery region: those failover recovered (tagged with
 * the role) and those people added to a role since (matched by the role's tag selector).
 */
export async function recoveryInstances(ec2: EC2Client, plan: Plan): Promise<RecoveryInstance[]> {
  const found = new Map<string, RecoveryInstance>();
  for (const instance of await describeAll(ec2, [{ Name: `tag:${TAG.app}`, Values: [plan.app] }, LIVE])) {
    const role = instance.Tags?.find((t) => t.Key === TAG.role)?.Value;
    const source = instance.Tags?.find((t) => t.Key === TAG.source)?.Value;
    const isFailback = instance.Tags?.some((t) => t.Key === TAG.failback);
    if (instance.InstanceId && role && !isFailback)
      found.set(instance.InstanceId, { id: instance.InstanceId, role, ...(source ? { source } : {}) });
  }
  for (const tier of plan.tiers) {
    for (const resource of tier.resources) {
      if (!('ec2' in resource) || !resource.ec2.tag) continue;
      const { key, value } = resource.ec2.tag;
      for (const instance of await describeAll(ec2, [{ Name: `tag:${key}`, Values: [value] }, LIVE])) {
        if (instance.InstanceId && !found.has(instance.InstanceId))
          found.set(instance.InstanceId, { id: instance.InstanceId, role: resource.ec2.role });
      }
    }
  }
  return [...found.values()];
}

/** Which of the given instances and databases still exist (not terminated or deleted) in a region. */
export async function existing(
  clients: AwsClients,
  region: string,
  instanceIds: readonly string[],
  databases: readonly string[],
): Promise<{ instances: string[]; databases: string[] }> {
  const live = new Set(LIVE.Values);
  const instances = instanceIds.length
    ? await describeInstancesById(clients.ec2(region), instanceIds)
    : new Map();
  const dbs = databases.length ? await describeDbInstances(clients.rds(region), databases) : new Map();
  return {
    instances: [...instances.values()]
      .filter((i) => live.has(i.State?.Name ?? ''))
      .map((i) => i.InstanceId ?? ''),
    databases: [...dbs.keys()],
  };
}
