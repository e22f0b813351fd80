/**
 * A synthetic estate of N instances for the benchmark, seeded into the local AWS with bulk calls,
 * and the protection plan that protects it (generated as an object, checked by the plan parser).
 *
 * - N EC2 instances in tier `app`, split by the `pendulum-role` tag into `web` (⌈N/2⌉) and `api`
 *   (⌊N/2⌋), launched with one RunInstances per role (MinCount = MaxCount = count).
 * - max(1, ⌊N/10⌋) PostgreSQL databases in tier `data` (RDS has no bulk create: one call each).
 * - One hosted zone with about 2N records, half of them managed by the plan: one A record per role,
 *   one CNAME per database, fixed-value CNAMEs up to N managed; N unmanaged records besides.
 *   Written in change batches of at most 1,000 changes and 1,000 values.
 * - The recovery-region network failover lands in: a subnet and security group per role (found by
 *   tag, like the example plan), and a DB subnet group.
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  type EC2Client,
  type Instance,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, CreateDBSubnetGroupCommand, type RDSClient } from '@aws-sdk/client-rds';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { parsePlanObject } from '../lambdas/plan/parse-plan';
import type { ManagedRecord, Plan, PlanInput } from '../lambdas/plan/plan-schema';
import type { AwsClients } from '../lambdas/runtime/aws-clients';
import { mapWithConcurrency } from '../lambdas/runtime/bounded-all';

export const ROLES = ['web', 'api'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_TAG = 'pendulum-role';

export interface EstateShape {
  readonly instances: number;
  readonly roles: Record<Role, number>;
  readonly databases: number;
  /** Managed records in the zone (the plan's records). */
  readonly managedRecords: number;
  /** Records the plan does not manage (besides the zone's own NS and SOA). */
  readonly unmanagedRecords: number;
}

/** How big the estate of N instances is: the rules of the issue, in one place. */
export function estateShape(instances: number): EstateShape {
  if (!Number.isInteger(instances) || instances < 2)
    throw new Error(`an estate needs at least 2 instances (one per role), got ${instances}`);
  const web = Math.ceil(instances / 2);
  const databases = Math.max(1, Math.floor(instances / 10));
  const managedRecords = Math.max(instances, ROLES.length + databases);
  return {
    instances,
    roles: { web, api: instances - web },
    databases,
    managedRecords,
    unmanagedRecords: 2 * instances - managedRecords,
  };
}

export interface SyntheticEstateOptions {
  readonly app?: string;
  readonly primaryRegion?: string;
  readonly recoveryRegion?: string;
  readonly zoneName?: string;
}

export interface SyntheticEstate {
  readonly app: string;
  readonly shape: EstateShape;
  readonly primaryRegion: string;
  readonly recoveryRegion: string;
  readonly zoneId: string;
  readonly zoneName: string;
  readonly instances: Record<Role, string[]>;
  readonly databases: string[];
  readonly primaryNetwork: Network;
  readonly recoveryNetwork: Network;
}

export interface Network {
  readonly vpcId: string;
  /** The DB subnet group databases run in (primary) or are restored into (recovery). */
  readonly dbSubnetGroup: string;
  readonly subnets: Record<Role, string>;
  readonly securityGroups: Record<Role, string>;
}

const tags = (entries: Record<string, string>) =>
  Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

export const dbIdentifier = (app: string, i: number) => `${app}-db-${String(i + 1).padStart(4, '0')}`;
export const networkName = (app: string, side: 'primary' | 'recovery', role: Role) =>
  `${app}-${side}-${role}`;

async function network(
  ec2: EC2Client,
  rds: RDSClient,
  app: string,
  side: 'primary' | 'recovery',
  cidr: string,
): Promise<Network> {
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      TagSpecifications: [{ ResourceType: 'vpc', Tags: tags({ Name: `${app}-${side}` }) }],
    }),
  );
  const vpcId = Vpc?.VpcId ?? '';
  const prefix = cidr.split('.').slice(0, 2).join('.');
  const subnets = {} as Record<Role, string>;
  const securityGroups = {} as Record<Role, string>;
  for (const [index, role] of ROLES.entries()) {
    const name = networkName(app, side, role);
    // /20: room for a thousand instances and their replacements in one subnet.
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `${prefix}.${index * 16}.0/20`,
        TagSpecifications: [{ ResourceType: 'subnet', Tags: tags({ Name: name }) }],
      }),
    );
    subnets[role] = Subnet?.SubnetId ?? '';
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: name,
        Description: `${app} ${role}`,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: tags({ Name: name }) }],
      }),
    );
    securityGroups[role] = GroupId ?? '';
  }
  const dbSubnetGroup = `${app}-${side}-db`;
  await rds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: dbSubnetGroup,
      DBSubnetGroupDescription: `${app} databases in the ${side} region`,
      SubnetIds: ROLES.map((role) => subnets[role]),
    }),
  );
  return { vpcId, subnets, securityGroups, dbSubnetGroup };
}

const address = (instance: Instance) => instance.PublicIpAddress ?? instance.PrivateIpAddress ?? '';

function record(name: string, type: string, values: string[], ttl = 300): ResourceRecordSet {
  return { Name: name, Type: type as never, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) };
}

/** Changes packed in order into batches of at most 1,000 changes and 1,000 record values (CREATEs). */
export function seedBatches(changes: readonly Change[], maxChanges = 1000, maxValues = 1000): Change[][] {
  const batches: Change[][] = [];
  let current: Change[] = [];
  let values = 0;
  for (const change of changes) {
    const n = change.ResourceRecordSet?.ResourceRecords?.length ?? 0;
    if (current.length > 0 && (current.length + 1 > maxChanges || values + n > maxValues)) {
      batches.push(current);
      current = [];
      values = 0;
    }
    current.push(change);
    values += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The managed records of the plan for an estate (names and targets; values come per region). */
export function managedRecords(
  app: string,
  zoneName: string,
  shape: EstateShape,
  regions: { primary: string; recovery: string } = { primary: 'us-east-1', recovery: 'us-west-2' },
): ManagedRecord[] {
  const records: ManagedRecord[] = ROLES.map((role) => ({
    name: `${role}.${zoneName}`,
    type: 'A',
    ttl: 60,
    target: { role },
  }));
  for (let i = 0; i < shape.databases; i++)
    records.push({
      name: `db-${String(i + 1).padStart(4, '0')}.${zoneName}`,
      type: 'CNAME',
      ttl: 60,
      target: { database: dbIdentifier(app, i) },
    });
  for (let i = 0; records.length < shape.managedRecords; i++)
    records.push({
      name: `static-${String(i + 1).padStart(4, '0')}.${zoneName}`,
      type: 'CNAME',
      ttl: 60,
      target: {
        values: {
          [regions.primary]: [`static-${i + 1}.primary.cdn.example.net`],
          [regions.recovery]: [`static-${i + 1}.recovery.cdn.example.net`],
        },
      },
    });
  return records;
}

/** Seeds the estate of `instances` instances; the emulator should be empty (reset) first. */
export async function createSyntheticEstate(
  clients: AwsClients,
  instances: number,
  options: SyntheticEstateOptions = {},
): Promise<SyntheticEstate> {
  const app = options.app ?? 'bench';
  const primaryRegion = options.primaryRegion ?? 'us-east-1';
  const recoveryRegion = options.recoveryRegion ?? 'us-west-2';
  const zoneName = options.zoneName ?? `${app}.example.com`;
  const shape = estateShape(instances);
  const ec2 = clients.ec2(primaryRegion);

  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
  const baseImage = Images[0]?.ImageId;
  if (!baseImage) throw new Error(`no base image in ${primaryRegion}`);
  const rds = clients.rds(primaryRegion);
  const primaryNetwork = await network(ec2, rds, app, 'primary', '10.10.0.0/16');

  const launched = {} as Record<Role, Instance[]>;
  for (const role of ROLES) {
    const count = shape.roles[role];
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: baseImage,
        InstanceType: 't3.small',
        MinCount: count,
        MaxCount: count,
        SubnetId: primaryNetwork.subnets[role],
        SecurityGroupIds: [primaryNetwork.securityGroups[role]],
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags({ [ROLE_TAG]: role, Name: `${app}-${role}` }) },
        ],
      }),
    );
    launched[role] = Instances;
  }

  const databases = Array.from({ length: shape.databases }, (_, i) => dbIdentifier(app, i));
  const endpoints = await mapWithConcurrency(databases, 10, async (identifier) => {
    const { DBInstance } = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: identifier,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.medium',
        AllocatedStorage: 20,
        MasterUsername: 'bench',
        MasterUserPassword: 'benchmark-only-password',
        DBSubnetGroupName: primaryNetwork.dbSubnetGroup,
        VpcSecurityGroupIds: [primaryNetwork.securityGroups.api],
      }),
    );
    return DBInstance?.Endpoint?.Address ?? `${identifier}.local`;
  });

  const recoveryNetwork = await network(
    clients.ec2(recoveryRegion),
    clients.rds(recoveryRegion),
    app,
    'recovery',
    '10.20.0.0/16',
  );

  const route53 = clients.route53();
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `${app}-${Date.now()}` }),
  );
  const zoneId = (HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const records: ResourceRecordSet[] = [];
  const regions = { primary: primaryRegion, recovery: recoveryRegion };
  for (const managed of managedRecords(app, zoneName, shape, regions)) {
    const target = managed.target;
    const values =
      'role' in target
        ? launched[target.role as Role].map(address).sort()
        : 'database' in target
          ? [endpoints[databases.indexOf(target.database)] ?? '']
          : (target.values[primaryRegion] ?? []);
    records.push(record(managed.name, managed.type, values, managed.ttl));
  }
  for (let i = 0; i < shape.unmanagedRecords; i++) {
    const name = `host-${String(i + 1).padStart(5, '0')}.internal.${zoneName}`;
    if (i % 3 === 0) records.push(record(name, 'A', [`198.51.${(i >> 8) % 256}.${i % 256}`]));
    else if (i % 3 === 1) records.push(record(name, 'TXT', [`"owner=team-${i % 17}"`]));
    else records.push(record(name, 'CNAME', [`legacy-${i}.example.org`]));
  }
  for (const batch of seedBatches(records.map((r) => ({ Action: 'CREATE', ResourceRecordSet: r })))) {
    await route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: batch } }),
    );
  }

  return {
    app,
    shape,
    primaryRegion,
    recoveryRegion,
    zoneId,
    zoneName,
    instances: {
      web: launched.web.map((i) => i.InstanceId ?? ''),
      api: launched.api.map((i) => i.InstanceId ?? ''),
    },
    databases,
    primaryNetwork,
    recoveryNetwork,
  };
}

export interface SyntheticPlanOptions {
  /** The health check URL; `{region}` is replaced by the region being moved to. */
  readonly healthUrl: string;
}

/** The protection plan of a synthetic estate, generated in code and validated like a plan file. */
export function syntheticPlan(estate: SyntheticEstate, options: SyntheticPlanOptions): Plan {
  const { app, zoneName, shape } = estate;
  const placement: NonNullable<PlanInput['placement']> = {};
  for (const role of ROLES) {
    placement[role] = {
      subnets: [{ tag: { key: 'Name', value: networkName(app, 'recovery', role) } }],
      securityGroups: [{ tag: { key: 'Name', value: networkName(app, 'recovery', role) } }],
      instanceType: 't3.small',
    };
  }
  for (const db of estate.databases)
    placement[db] = { dbSubnetGroup: estate.recoveryNetwork.dbSubnetGroup, dbInstanceClass: 'db.t3.medium' };
  const input: PlanInput = {
    app,
    primaryRegion: estate.primaryRegion,
    recoveryRegion: estate.recoveryRegion,
    tiers: [
      {
        name: 'data',
        rpo: '1h',
        rto: '30m',
        resources: estate.databases.map((identifier) => ({
          rds: { identifier, failbackSync: 'snapshot' as const },
        })),
      },
      {
        name: 'app',
        rpo: '4h',
        rto: '1h',
        resources: ROLES.map((role) => ({ ec2: { role, tag: { key: ROLE_TAG, value: role } } })),
      },
    ],
    placement,
    dns: {
      zones: [
        {
          name: zoneName,
          records: managedRecords(app, zoneName, shape, {
            primary: estate.primaryRegion,
            recovery: estate.recoveryRegion,
          }),
        },
      ],
    },
    healthChecks: [{ name: 'bench', url: options.healthUrl, expectStatus: 200 }],
    failback: { strategy: 'cutover', steps: [100], stepHold: '1m', soak: '1h' },
    protection: { retain: 7 },
  };
  const result = parsePlanObject(input);
  if (!result.ok) throw new Error(`the generated plan is invalid: ${JSON.stringify(result.problems)}`);
  return result.plan;
}
