/**
 * Reads what reconciliation needs from AWS and the bucket: the failover's snapshot, what it wrote
 * and recovered, the zones now, and what runs in each region now. Bulk describes only: one per
 * filter (the app's tag, each role selector, the placement's subnets) and one of all databases.
 */
import {
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { describeClusters } from '../failover/aurora-recovery';
import type { DnsCutover } from '../failover/dns-cutover';
import type { DnsSnapshot } from '../failover/dns-snapshot';
import { describeInstancesById } from '../failover/ec2-recovery';
import { describeDbInstances } from '../failover/rds-recovery';
import type { Plan } from '../plan/plan-schema';
import { TAG, tagMap } from '../recovery-points/recovery-point';
import { listZoneRecords, resolveZone } from '../route53/hosted-zone';
import type { AwsClients } from '../runtime/aws-clients';
import { WrongStateError } from '../runtime/task-errors';
import type { RecoveryInstance } from './plan-failback-resources';
import type { EstateDatabase, EstateInstance, RecoveryPlacement } from './unknown-resources';

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

/** What runs in the recovery region now, for the roles and for the unknown. */
export interface RecoveryRegionState {
  /** Live instances of planned roles: recovered by failover, or added since to a role's selector. */
  readonly roleInstances: RecoveryInstance[];
  /** Every live instance with the app's tag or in the placement's subnets, and every database. */
  readonly estate: {
    readonly placement: RecoveryPlacement;
    readonly instances: EstateInstance[];
    readonly databases: EstateDatabase[];
  };
}

export async function readRecoveryRegion(
  ec2: EC2Client,
  rds: RDSClient,
  plan: Plan,
): Promise<RecoveryRegionState> {
  const placement = await recoveryPlacement(ec2, plan);
  const subnetIds = Object.keys(placement.subnets);
  const [appTagged, placed, databases, clusters] = await Promise.all([
    describeAll(ec2, [{ Name: `tag:${TAG.app}`, Values: [plan.app] }, LIVE]),
    inSubnets(ec2, subnetIds),
    describeAllDatabases(rds),
    describeAllClusters(rds),
  ]);
  const found = new Map<string, RecoveryInstance>();
  for (const instance of appTagged) {
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
  const estate = new Map<string, EstateInstance>();
  for (const instance of [...appTagged, ...placed])
    if (instance.InstanceId) estate.set(instance.InstanceId, estateInstance(instance));
  return {
    roleInstances: [...found.values()],
    estate: {
      placement,
      instances: [...estate.values()],
      databases: [...databases.flatMap(estateDatabase), ...clusters.flatMap(estateCluster)],
    },
  };
}

/** Live instances in the given subnets, 200 subnets a describe (EC2's limit of values a filter). */
async function inSubnets(ec2: EC2Client, subnetIds: readonly string[]): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (let i = 0; i < subnetIds.length; i += 200)
    instances.push(
      ...(await describeAll(ec2, [{ Name: 'subnet-id', Values: subnetIds.slice(i, i + 200) }, LIVE])),
    );
  return instances;
}

/**
 * The subnets and DB subnet groups the placement names in the recovery region, with one describe
 * of subnets when some are named by tag. A tag that matches nothing now is skipped, not an error:
 * reconciliation only looks there, and failover already placed what it recovered.
 */
export async function recoveryPlacement(ec2: EC2Client, plan: Plan): Promise<RecoveryPlacement> {
  const subnets: Record<string, string[]> = {};
  const dbSubnetGroups: Record<string, string[]> = {};
  const add = (into: Record<string, string[]>, key: string, role: string) => {
    into[key] = [...new Set([...(into[key] ?? []), role])];
  };
  const placements = Object.entries(plan.placement);
  const tagged = placements.some(([, p]) => (p.subnets ?? []).some((ref) => typeof ref !== 'string'));
  const byTag = new Map<string, string[]>();
  if (tagged) {
    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({}));
    for (const subnet of Subnets)
      for (const t of subnet.Tags ?? [])
        if (subnet.SubnetId)
          byTag.set(`${t.Key}=${t.Value}`, [...(byTag.get(`${t.Key}=${t.Value}`) ?? []), subnet.SubnetId]);
  }
  for (const [role, p] of placements) {
    for (const ref of p.subnets ?? []) {
      const ids = typeof ref === 'string' ? [ref] : (byTag.get(`${ref.tag.key}=${ref.tag.value}`) ?? []);
      for (const id of ids) add(subnets, id, role);
    }
    if (p.dbSubnetGroup) add(dbSubnetGroups, p.dbSubnetGroup, role);
  }
  return { subnets, dbSubnetGroups };
}

function estateInstance(instance: Instance): EstateInstance {
  // LaunchTime moves on every start; the primary interface was attached when the instance was made.
  const made =
    instance.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0)?.Attachment?.AttachTime ??
    instance.LaunchTime;
  return {
    id: instance.InstanceId ?? '',
    ...(instance.ImageId ? { imageId: instance.ImageId } : {}),
    ...(instance.SubnetId ? { subnetId: instance.SubnetId } : {}),
    tags: tagMap(instance.Tags),
    ...(made ? { launchedAt: new Date(made).toISOString() } : {}),
  };
}

function estateDatabase(db: DBInstance): EstateDatabase[] {
  if (!db.DBInstanceIdentifier || ['deleting', 'deleted'].includes(db.DBInstanceStatus ?? '')) return [];
  // An Aurora cluster's instance holds none of its data: the cluster is the resource (its
  // recovered clusters come home as clusters), so a member is neither a database nor unknown.
  if (db.DBClusterIdentifier) return [];
  return [
    {
      id: db.DBInstanceIdentifier,
      tags: tagMap(db.TagList),
      ...(db.DBSubnetGroup?.DBSubnetGroupName ? { subnetGroup: db.DBSubnetGroup.DBSubnetGroupName } : {}),
      subnetIds: (db.DBSubnetGroup?.Subnets ?? []).flatMap((s) =>
        s.SubnetIdentifier ? [s.SubnetIdentifier] : [],
      ),
      ...(db.ReadReplicaSourceDBInstanceIdentifier
        ? { replicaOf: db.ReadReplicaSourceDBInstanceIdentifier }
        : {}),
      ...(db.InstanceCreateTime ? { createdAt: new Date(db.InstanceCreateTime).toISOString() } : {}),
    },
  ];
}

/** Every database in a region: RDS filters by neither tag nor subnet, so one paged describe of all. */
async function describeAllDatabases(rds: RDSClient): Promise<DBInstance[]> {
  const databases: DBInstance[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBInstancesCommand({ Marker }));
    databases.push(...(page.DBInstances ?? []));
    Marker = page.Marker;
  } while (Marker);
  return databases;
}

/**
 * An Aurora cluster as an estate database: one made in the recovery region while failed over (by
 * hand, or by a tool) holds writes failback would not bring home, so it is looked at like a DB
 * instance is.
 */
function estateCluster(cluster: DBCluster): EstateDatabase[] {
  if (!cluster.DBClusterIdentifier || ['deleting', 'deleted'].includes(cluster.Status ?? '')) return [];
  return [
    {
      kind: 'aurora',
      id: cluster.DBClusterIdentifier,
      tags: tagMap(cluster.TagList),
      ...(cluster.DBSubnetGroup ? { subnetGroup: cluster.DBSubnetGroup } : {}),
      subnetIds: [],
      ...(cluster.ClusterCreateTime ? { createdAt: new Date(cluster.ClusterCreateTime).toISOString() } : {}),
    },
  ];
}

/** Every Aurora cluster in a region, paged (RDS filters clusters by neither tag nor subnet). */
async function describeAllClusters(rds: RDSClient): Promise<DBCluster[]> {
  const clusters: DBCluster[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBClustersCommand({ Marker }));
    clusters.push(...(page.DBClusters ?? []));
    Marker = page.Marker;
  } while (Marker);
  return clusters;
}

/** Which of the given Aurora clusters still exist (not being deleted) in a region. */
export async function existingClusters(rds: RDSClient, clusters: readonly string[]): Promise<string[]> {
  if (clusters.length === 0) return [];
  const found = await describeClusters(rds, clusters);
  return [...found.values()]
    .filter((c) => !['deleting', 'deleted'].includes(c.Status ?? ''))
    .map((c) => c.DBClusterIdentifier ?? '');
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
