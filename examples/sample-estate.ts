/**
 * The sample estate the rehearsal and the tests run against: the application that
 * examples/pendulum.yaml protects, created in a local AWS (moto). Copy it to model your own.
 *
 * Primary region: a VPC, web and api instances (tagged pendulum-role), a PostgreSQL database and,
 * with `auroraCluster`, an Aurora PostgreSQL cluster (a writer and a reader).
 * Recovery region: the network failover lands in (subnets, security groups, a DB subnet group).
 * Route 53: shop.example.com with the managed records and unmanaged ones nobody may touch.
 */
import {
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  type EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateDBSubnetGroupCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { describeInstancesById } from '../lambdas/failover/ec2-recovery';
import type { AwsClients } from '../lambdas/runtime/aws-clients';

/**
 * The estate's own tags, as production carries them (cost allocation, patching, environment), and
 * one AWS sets itself (CloudFormation's stack name: `aws:` tags cannot be set by anyone else, so
 * they never travel). Every instance, the database and the cluster (and its members) carry them; a
 * role's instances also `PatchGroup=shop-<role>`.
 */
export const ESTATE_TAGS = {
  CostCenter: 'retail-4711',
  Environment: 'production',
  'aws:cloudformation:stack-name': 'shop-estate',
} as const;

/** The Aurora cluster examples/pendulum.yaml protects, and the class of its writer and reader. */
export const SAMPLE_CLUSTER = {
  identifier: 'shop-orders',
  instanceClass: 'db.r6g.large',
  readers: 1,
} as const;

export interface SampleEstateOptions {
  readonly primaryRegion?: string;
  readonly recoveryRegion?: string;
  readonly zoneName?: string;
  readonly webInstances?: number;
  readonly apiInstances?: number;
  /** Extra unmanaged records, e.g. 300 to make the zone list in several pages. */
  readonly extraRecords?: number;
  /** The database's allocated storage: on the realistic local AWS, copies and restores take longer with it. @default 20 */
  readonly databaseGiB?: number;
  /** Encrypt the database and the instances' volumes with this customer managed key (its ARN, in the primary region). @default unencrypted */
  readonly databaseKmsKeyId?: string;
  /**
   * Customer managed keys to create, by region, each carrying this alias (`alias/shop-data`), as a
   * production estate has them; the database (and volumes) are then encrypted with the primary's.
   * @default none
   */
  readonly kmsAliases?: Readonly<Record<string, string>>;
  /**
   * Make the Aurora cluster the example plan names (SAMPLE_CLUSTER), under the database's key, and
   * the records on its writer and reader endpoints. The rehearsal does when its plan names it;
   * tests of other paths leave it out, as their plans do (test/support/sample-plan.ts).
   * @default false
   */
  readonly auroraCluster?: boolean;
}

export interface SampleEstate {
  /** The keys made for `kmsAliases`, key ARN by region. */
  readonly kmsKeys: Readonly<Record<string, string>>;
  readonly zoneId: string;
  readonly zoneName: string;
  readonly instances: { readonly web: string[]; readonly api: string[] };
  readonly databaseEndpoint: string;
  /** The Aurora cluster's writer (cluster) and reader endpoints, when `auroraCluster` made it. */
  readonly cluster?: {
    readonly identifier: string;
    readonly endpoint: string;
    readonly readerEndpoint: string;
  };
  readonly recoveryNetwork: {
    readonly vpcId: string;
    readonly subnets: string[];
    readonly securityGroups: string[];
  };
}

/** A customer managed key with `alias` in each region (an alias already there is reused). */
async function estateKeys(aliases: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const arns: Record<string, string> = {};
  for (const [region, alias] of Object.entries(aliases)) {
    const kms = new KMSClient({ region });
    const existing = await kms.send(new DescribeKeyCommand({ KeyId: alias })).catch(() => undefined);
    if (existing?.KeyMetadata?.Arn) {
      arns[region] = existing.KeyMetadata.Arn;
      continue;
    }
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `shop data in ${region}` }));
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata?.KeyId }));
    arns[region] = KeyMetadata?.Arn ?? '';
  }
  return arns;
}

const tags = (entries: Record<string, string>) =>
  Object.entries(entries).map(([Key, Value]) => ({ Key, Value }));

async function network(ec2: EC2Client, name: string, cidr: string) {
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      TagSpecifications: [{ ResourceType: 'vpc', Tags: tags({ Name: `shop-${name}` }) }],
    }),
  );
  const vpcId = Vpc?.VpcId ?? '';
  const prefix = cidr.split('.').slice(0, 2).join('.');
  const subnet = async (suffix: string, third: number) =>
    (
      await ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `${prefix}.${third}.0/24`,
          TagSpecifications: [{ ResourceType: 'subnet', Tags: tags({ Name: `shop-${name}-${suffix}` }) }],
        }),
      )
    ).Subnet?.SubnetId ?? '';
  const publicSubnet = await subnet('public', 1);
  const privateSubnet = await subnet('private', 2);
  const group = async (suffix: string) =>
    (
      await ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: `shop-${name}-${suffix}`,
          Description: `shop ${suffix}`,
          TagSpecifications: [
            { ResourceType: 'security-group', Tags: tags({ Name: `shop-${name}-${suffix}` }) },
          ],
        }),
      )
    ).GroupId ?? '';
  const webGroup = await group('web');
  const apiGroup = await group('api');
  return { vpcId, publicSubnet, privateSubnet, webGroup, apiGroup };
}

async function launch(
  ec2: EC2Client,
  imageId: string,
  role: string,
  count: number,
  subnetId: string,
  groupId: string,
  keyName: string,
  kmsKeyId: string | undefined,
): Promise<string[]> {
  // Encrypted: a root volume and a data volume under the estate's key, as production has them.
  const volumes = kmsKeyId
    ? {
        BlockDeviceMappings: [
          { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: true, KmsKeyId: kmsKeyId } },
          { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 20, Encrypted: true, KmsKeyId: kmsKeyId } },
        ],
      }
    : {};
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.small',
      KeyName: keyName,
      ...volumes,
      MinCount: count,
      MaxCount: count,
      SubnetId: subnetId,
      SecurityGroupIds: [groupId],
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: tags({
            ...ESTATE_TAGS,
            'pendulum-role': role,
            Name: `shop-${role}`,
            PatchGroup: `shop-${role}`,
          }),
        },
      ],
    }),
  );
  return Instances.map((i) => i.InstanceId ?? '');
}

async function database(
  rds: RDSClient,
  subnetIds: string[],
  databaseGiB: number,
  kmsKeyId: string | undefined,
): Promise<string> {
  await rds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: 'shop-primary-db',
      DBSubnetGroupDescription: 'shop database in the primary region',
      SubnetIds: subnetIds,
    }),
  );
  const { DBInstance } = await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'shop-db',
      DBSubnetGroupName: 'shop-primary-db',
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.medium',
      AllocatedStorage: databaseGiB,
      MasterUsername: 'shop',
      MasterUserPassword: 'rehearsal-only-password',
      ...(kmsKeyId ? { StorageEncrypted: true, KmsKeyId: kmsKeyId } : {}),
      Tags: tags({ ...ESTATE_TAGS, app: 'shop' }),
    }),
  );
  return DBInstance?.Endpoint?.Address ?? '';
}

/**
 * The orders cluster: Aurora PostgreSQL in the primary's DB subnet group, under the estate's key,
 * with a writer and a reader (the first instance made in a cluster is its writer).
 */
async function cluster(
  rds: RDSClient,
  kmsKeyId: string | undefined,
): Promise<NonNullable<SampleEstate['cluster']>> {
  const { identifier, instanceClass, readers } = SAMPLE_CLUSTER;
  const estateTags = tags({ ...ESTATE_TAGS, app: 'shop', Name: identifier });
  const { DBCluster } = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: identifier,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      DBSubnetGroupName: 'shop-primary-db',
      MasterUsername: 'orders',
      MasterUserPassword: 'rehearsal-only-password',
      ...(kmsKeyId ? { StorageEncrypted: true, KmsKeyId: kmsKeyId } : {}),
      Tags: estateTags,
    }),
  );
  for (let i = 0; i <= readers; i++)
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${identifier}-${i === 0 ? 'writer' : `reader-${i}`}`,
        DBClusterIdentifier: identifier,
        DBInstanceClass: instanceClass,
        Engine: 'aurora-postgresql',
        Tags: estateTags,
      }),
    );
  return {
    identifier,
    endpoint: DBCluster?.Endpoint ?? '',
    readerEndpoint: DBCluster?.ReaderEndpoint ?? '',
  };
}

const record = (
  name: string,
  type: string,
  values: string[],
  ttl = 300,
  extra: Partial<ResourceRecordSet> = {},
): ResourceRecordSet => ({
  Name: name,
  Type: type as never,
  TTL: ttl,
  ResourceRecords: values.map((Value) => ({ Value })),
  ...extra,
});

export async function createSampleEstate(
  clients: AwsClients,
  options: SampleEstateOptions = {},
): Promise<SampleEstate> {
  const primaryRegion = options.primaryRegion ?? 'us-east-1';
  const recoveryRegion = options.recoveryRegion ?? 'us-west-2';
  const zoneName = options.zoneName ?? 'shop.example.com';
  const ec2 = clients.ec2(primaryRegion);
  const kmsKeys = await estateKeys(options.kmsAliases ?? {});
  const dataKey = options.databaseKmsKeyId ?? kmsKeys[primaryRegion];
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
  const baseImage = Images[0]?.ImageId;
  if (!baseImage) throw new Error(`no base image in ${primaryRegion}`);

  const primary = await network(ec2, 'primary', '10.10.0.0/16');
  // The operators' key pair, as production instances have one: failback launches home with it.
  const keyName = 'shop-ops';
  await ec2.send(new CreateKeyPairCommand({ KeyName: keyName })).catch((error: Error) => {
    if (error.name !== 'InvalidKeyPair.Duplicate') throw error;
  });
  const web = await launch(
    ec2,
    baseImage,
    'web',
    options.webInstances ?? 2,
    primary.publicSubnet,
    primary.webGroup,
    keyName,
    dataKey,
  );
  const api = await launch(
    ec2,
    baseImage,
    'api',
    options.apiInstances ?? 2,
    primary.privateSubnet,
    primary.apiGroup,
    keyName,
    dataKey,
  );
  const databaseEndpoint = await database(
    clients.rds(primaryRegion),
    [primary.publicSubnet, primary.privateSubnet],
    options.databaseGiB ?? 20,
    dataKey,
  );
  const orders = options.auroraCluster ? await cluster(clients.rds(primaryRegion), dataKey) : undefined;

  const recovery = await network(clients.ec2(recoveryRegion), 'recovery', '10.20.0.0/16');
  await clients.rds(recoveryRegion).send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: 'shop-recovery-db',
      DBSubnetGroupDescription: 'shop database in the recovery region',
      SubnetIds: [recovery.publicSubnet, recovery.privateSubnet],
    }),
  );

  const route53 = clients.route53();
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: zoneName, CallerReference: `sample-${Date.now()}` }),
  );
  const zoneId = (HostedZone?.Id ?? '').replace('/hostedzone/', '');
  const described = await describeInstancesById(ec2, [...web, ...api]);
  const ips = (ids: string[]) =>
    ids.map((id) => described.get(id)?.PublicIpAddress ?? described.get(id)?.PrivateIpAddress ?? '').sort();
  const records: ResourceRecordSet[] = [
    // Managed by the plan.
    record(`www.${zoneName}`, 'A', ips(web), 60),
    record(`api.${zoneName}`, 'A', ips(api), 60),
    record(`db.${zoneName}`, 'CNAME', [databaseEndpoint], 60),
    ...(orders
      ? [
          record(`orders-db.${zoneName}`, 'CNAME', [orders.endpoint], 60),
          record(`orders-ro.${zoneName}`, 'CNAME', [orders.readerEndpoint], 60),
        ]
      : []),
    record(`static.${zoneName}`, 'CNAME', ['static-east.shop-cdn.example.net'], 60),
    // Unmanaged: failover must leave these exactly as they are.
    record(zoneName, 'MX', ['10 mail.example.net.']),
    record(zoneName, 'TXT', ['"v=spf1 include:mail.example.net -all"']),
    record(`blog.${zoneName}`, 'CNAME', ['shop-blog.example.org']),
    record(`\\052.preview.${zoneName}`, 'CNAME', ['preview.example.org']),
    record(`canary.${zoneName}`, 'A', ['192.0.2.10'], 60, { SetIdentifier: 'canary-blue', Weight: 90 }),
    record(`canary.${zoneName}`, 'A', ['192.0.2.20'], 60, { SetIdentifier: 'canary-green', Weight: 10 }),
  ];
  for (let i = 0; i < (options.extraRecords ?? 0); i++) {
    records.push(
      record(`host-${String(i).padStart(4, '0')}.internal.${zoneName}`, 'A', [`198.51.100.${i % 250}`]),
    );
  }
  for (let i = 0; i < records.length; i += 500) {
    const changes: Change[] = records
      .slice(i, i + 500)
      .map((r) => ({ Action: 'CREATE', ResourceRecordSet: r }));
    await route53.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
    );
  }

  return {
    kmsKeys,
    zoneId,
    zoneName,
    instances: { web, api },
    databaseEndpoint,
    ...(orders ? { cluster: orders } : {}),
    recoveryNetwork: {
      vpcId: recovery.vpcId,
      subnets: [recovery.publicSubnet, recovery.privateSubnet],
      securityGroups: [recovery.webGroup, recovery.apiGroup],
    },
  };
}
