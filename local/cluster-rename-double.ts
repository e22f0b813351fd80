/**
 * A test double for what moto gets wrong about renaming an Aurora cluster: in AWS, ModifyDBCluster
 * with NewDBClusterIdentifier renames the cluster and its instances stay in it (RDS User Guide,
 * "Renaming an Aurora DB cluster"); moto 5.2.1 files each instance under the cluster name it was
 * created in, so after a rename the renamed cluster shows no instances, and a cluster later given
 * the old name shows the first one's instances.
 *
 * The double remembers, per region, which cluster each instance of a renamed cluster is in, and
 * shows that in DescribeDBClusters (DBClusterMembers) and DescribeDBInstances (DBClusterIdentifier,
 * the `db-cluster-id` filter); DeleteDBCluster of a cluster that still has instances is refused, as
 * AWS refuses it (InvalidDBClusterStateFault). Until a region sees a rename, moto's answers pass
 * through untouched.
 */
import {
  type DBCluster,
  type DBClusterMember,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type Filter,
  RDSClient,
} from '@aws-sdk/client-rds';
import { asHarness, isHarnessCall } from './harness-calls';
import { RdsFault } from './rds-fault';
import { clientRegion, type SdkClient, type SdkCommand } from './sdk-send';

type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown;

/** Per region: instance identifier → the cluster it is in now, for instances of renamed clusters. */
const clusterOfInstance = new Map<string, Map<string, string>>();
/** Per region: instance identifier → whether it is its cluster's writer, as at the rename. */
const writerAtRename = new Map<string, Map<string, boolean>>();

export function resetClusterRenames(): void {
  clusterOfInstance.clear();
  writerAtRename.clear();
}

/** What moto has, read as the harness (not evaluated by IAM, not slowed). */
async function motoView(region: string): Promise<{ instances: DBInstance[]; clusters: DBCluster[] }> {
  return asHarness(async () => {
    const rds = new RDSClient({ region });
    const [{ DBInstances = [] }, { DBClusters = [] }] = await Promise.all([
      rds.send(new DescribeDBInstancesCommand({})),
      rds.send(new DescribeDBClustersCommand({})),
    ]);
    return { instances: DBInstances, clusters: DBClusters };
  });
}

/** Each clustered instance's cluster as AWS would have it. */
function actualClusters(region: string, instances: readonly DBInstance[]): Map<string, string> {
  const moved = clusterOfInstance.get(region) ?? new Map<string, string>();
  const result = new Map<string, string>();
  for (const instance of instances) {
    const id = instance.DBInstanceIdentifier ?? '';
    const cluster = moved.get(id) ?? instance.DBClusterIdentifier;
    if (cluster) result.set(id, cluster);
  }
  return result;
}

function membersOf(
  region: string,
  cluster: string,
  actual: ReadonlyMap<string, string>,
  motoClusters: readonly DBCluster[],
): DBClusterMember[] {
  const motoWriter = new Map<string, boolean>();
  for (const c of motoClusters)
    for (const m of c.DBClusterMembers ?? [])
      if (m.DBInstanceIdentifier) motoWriter.set(m.DBInstanceIdentifier, m.IsClusterWriter === true);
  const atRename = writerAtRename.get(region) ?? new Map<string, boolean>();
  return [...actual.entries()]
    .filter(([, c]) => c === cluster)
    .map(([id]) => ({
      DBInstanceIdentifier: id,
      IsClusterWriter: atRename.get(id) ?? motoWriter.get(id) ?? false,
      DBClusterParameterGroupStatus: 'in-sync',
      PromotionTier: 1,
    }));
}

function clusterFilter(filters: Filter[] | undefined): string[] | undefined {
  return filters?.find((f) => f.Name === 'db-cluster-id')?.Values;
}

async function rename(client: SdkClient, send: Send, command: SdkCommand, rest: unknown[]): Promise<unknown> {
  const region = await clientRegion(client);
  const input = command.input as { DBClusterIdentifier?: string; NewDBClusterIdentifier?: string };
  const from = input.DBClusterIdentifier ?? '';
  const to = input.NewDBClusterIdentifier ?? '';
  const before = await motoView(region);
  const actual = actualClusters(region, before.instances);
  const members = membersOf(region, from, actual, before.clusters);
  const output = await send.call(client, command, ...rest);
  const moved = clusterOfInstance.get(region) ?? new Map<string, string>();
  const writers = writerAtRename.get(region) ?? new Map<string, boolean>();
  for (const member of members) {
    moved.set(member.DBInstanceIdentifier ?? '', to);
    writers.set(member.DBInstanceIdentifier ?? '', member.IsClusterWriter === true);
  }
  clusterOfInstance.set(region, moved);
  writerAtRename.set(region, writers);
  return output;
}

/** The answer to a call the double corrects, or undefined for any other call. */
export function clusterRenameCall(
  this: SdkClient,
  send: Send,
  command: SdkCommand,
  rest: unknown[],
): Promise<unknown> | undefined {
  if (isHarnessCall()) return undefined;
  const name = command.constructor.name;
  const input = command.input ?? {};
  if (name === 'ModifyDBClusterCommand' && input.NewDBClusterIdentifier)
    return rename(this, send, command, rest);
  // Until a rename, moto's answers stand: nothing to correct.
  if (clusterOfInstance.size === 0) return undefined;
  if (!['DescribeDBClustersCommand', 'DescribeDBInstancesCommand', 'DeleteDBClusterCommand'].includes(name))
    return undefined;
  return clientRegion(this).then(async (region) => {
    if (!clusterOfInstance.has(region)) return send.call(this, command, ...rest);
    const view = await motoView(region);
    const actual = actualClusters(region, view.instances);
    if (name === 'DeleteDBClusterCommand') {
      const id = String(input.DBClusterIdentifier ?? '');
      if ([...actual.values()].includes(id))
        throw new RdsFault(
          'InvalidDBClusterStateFault',
          `Cluster ${id} cannot be deleted while it still has instances.`,
        );
      return send.call(this, command, ...rest);
    }
    if (name === 'DescribeDBClustersCommand') {
      const output = (await send.call(this, command, ...rest)) as { DBClusters?: DBCluster[] };
      return {
        ...output,
        DBClusters: (output.DBClusters ?? []).map((c) => ({
          ...c,
          DBClusterMembers: membersOf(region, c.DBClusterIdentifier ?? '', actual, view.clusters),
        })),
      };
    }
    // DescribeDBInstances: each instance in its actual cluster; a cluster filter applied to that.
    const wanted = clusterFilter(input.Filters as Filter[] | undefined);
    const others = ((input.Filters as Filter[] | undefined) ?? []).filter((f) => f.Name !== 'db-cluster-id');
    const asked = wanted
      ? new DescribeDBInstancesCommand({ ...input, Filters: others.length > 0 ? others : undefined })
      : command;
    const output = (await send.call(this, asked as unknown as SdkCommand, ...rest)) as {
      DBInstances?: DBInstance[];
    };
    const instances = (output.DBInstances ?? []).map((d) => {
      const cluster = actual.get(d.DBInstanceIdentifier ?? '');
      return cluster ? { ...d, DBClusterIdentifier: cluster } : d;
    });
    return {
      ...output,
      DBInstances: wanted
        ? instances.filter((d) => d.DBClusterIdentifier && wanted.includes(d.DBClusterIdentifier))
        : instances,
    };
  });
}
