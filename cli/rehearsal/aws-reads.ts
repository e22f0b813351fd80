/**
 * The reads the rehearsal verifies with: what is really running, stored and published in the
 * (local) AWS, never what a workflow said it did.
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
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';

type Tagged =
  | { Tags?: { Key?: string; Value?: string }[] }
  | { TagList?: { Key?: string; Value?: string }[] };

/** A tag's value on an instance, image, database, cluster or snapshot. */
export function tagOf(resource: Tagged | undefined, key: string): string | undefined {
  if (!resource) return undefined;
  const tags = 'Tags' in resource ? resource.Tags : 'TagList' in resource ? resource.TagList : undefined;
  return tags?.find((t) => t.Key === key)?.Value;
}

/** Instances that are pending or running (terminated ones linger in listings for a while). */
export async function liveInstances(ec2: EC2Client, filters: Filter[] = []): Promise<Instance[]> {
  const instances: Instance[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [...filters, { Name: 'instance-state-name', Values: ['pending', 'running'] }],
        NextToken,
      }),
    );
    instances.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return instances;
}

/** The address a public zone's A record carries for an instance. */
export function addressOf(instance: Instance): string | undefined {
  return instance.PublicIpAddress ?? instance.PrivateIpAddress;
}

/**
 * DB instances that are databases of their own. An Aurora cluster's writer and readers are DB
 * instances too, but their data is the cluster's: they are read through `clusterMembers`.
 */
export async function databases(rds: RDSClient): Promise<DBInstance[]> {
  return (await allDbInstances(rds)).filter((d) => !d.DBClusterIdentifier);
}

/** The instances of Aurora clusters in the region (writers and readers), by cluster identifier. */
export async function clusterMembers(rds: RDSClient): Promise<Map<string, DBInstance[]>> {
  const members = new Map<string, DBInstance[]>();
  for (const d of await allDbInstances(rds))
    if (d.DBClusterIdentifier)
      members.set(d.DBClusterIdentifier, [...(members.get(d.DBClusterIdentifier) ?? []), d]);
  return members;
}

async function allDbInstances(rds: RDSClient): Promise<DBInstance[]> {
  const all: DBInstance[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBInstancesCommand({ Marker }));
    all.push(...(page.DBInstances ?? []));
    Marker = page.Marker;
  } while (Marker);
  return all;
}

export async function dbSnapshots(rds: RDSClient): Promise<DBSnapshot[]> {
  const all: DBSnapshot[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBSnapshotsCommand({ Marker }));
    all.push(...(page.DBSnapshots ?? []));
    Marker = page.Marker;
  } while (Marker);
  return all;
}

/** Aurora clusters in the region, with their members and endpoints. */
export async function clusters(rds: RDSClient): Promise<DBCluster[]> {
  const all: DBCluster[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBClustersCommand({ Marker }));
    all.push(...(page.DBClusters ?? []));
    Marker = page.Marker;
  } while (Marker);
  return all;
}

/** Manual cluster snapshots in the region: recovery points, their copies and final snapshots. */
export async function clusterSnapshots(rds: RDSClient): Promise<DBClusterSnapshot[]> {
  const all: DBClusterSnapshot[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual', Marker }));
    all.push(...(page.DBClusterSnapshots ?? []));
    Marker = page.Marker;
  } while (Marker);
  return all;
}

/** AMIs this account owns in the region. */
export async function ownImages(ec2: EC2Client): Promise<Image[]> {
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
  return Images;
}

/** A public image to launch from (moto's stock AMIs). */
export async function baseImageId(ec2: EC2Client): Promise<string> {
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
  const id = Images[0]?.ImageId;
  if (!id) throw new Error('no public image to launch an instance from');
  return id;
}
