/**
 * Restoring Aurora clusters from cluster snapshot recovery points. A cluster snapshot restores the
 * cluster (its storage) but no instance: the writer and readers are created in it afterwards, each
 * only once the cluster is `available` (RDS refuses instances in a cluster still being restored).
 * Identifiers are deterministic per episode, so a retry finds what it already asked for.
 */
import {
  CreateDBInstanceCommand,
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  type RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from '@aws-sdk/client-rds';
import { tagList } from '../recovery-points/recovery-point';
import { episodeDbIdentifier } from './rds-recovery';

/** The class of a cluster's instances when neither the placement nor the point names one. */
export const DEFAULT_CLUSTER_INSTANCE_CLASS = 'db.r6g.large';
/** RDS accepts at most 100 values per filter. */
const FILTER_VALUES_MAX = 100;

/**
 * The instances of a restored cluster, the writer first: `<cluster>-1`, then `<cluster>-2..` for
 * the readers. Named like the cluster (source, marker, episode), so IAM scopes both by one pattern.
 */
export function clusterMemberIds(
  source: string,
  suffix: string,
  marker: string | undefined,
  readers: number,
): string[] {
  return Array.from({ length: readers + 1 }, (_, i) =>
    episodeDbIdentifier(source, `${suffix}-${i + 1}`, marker),
  );
}

export async function findCluster(rds: RDSClient, identifier: string): Promise<DBCluster | undefined> {
  try {
    const { DBClusters = [] } = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }),
    );
    return DBClusters[0];
  } catch (error) {
    if (isFault(error, 'DBClusterNotFound')) return undefined;
    throw error;
  }
}

/** Many clusters' states, a hundred identifiers per describe call. */
export async function describeClusters(
  rds: RDSClient,
  identifiers: readonly string[],
): Promise<Map<string, DBCluster>> {
  const result = new Map<string, DBCluster>();
  for (let i = 0; i < identifiers.length; i += FILTER_VALUES_MAX) {
    let Marker: string | undefined;
    do {
      const page = await rds.send(
        new DescribeDBClustersCommand({
          Filters: [{ Name: 'db-cluster-id', Values: identifiers.slice(i, i + FILTER_VALUES_MAX) }],
          Marker,
        }),
      );
      for (const cluster of page.DBClusters ?? [])
        if (cluster.DBClusterIdentifier) result.set(cluster.DBClusterIdentifier, cluster);
      Marker = page.Marker;
    } while (Marker);
  }
  return result;
}

export interface ClusterRestoreRequest {
  readonly identifier: string;
  readonly snapshotIdentifier: string;
  readonly engine: string;
  readonly engineVersion?: string;
  readonly dbSubnetGroup?: string;
  readonly securityGroupIds: readonly string[];
  readonly tags: Record<string, string>;
}

/**
 * Asks RDS for the cluster. No KmsKeyId: a cluster restored from an encrypted snapshot in its own
 * region is encrypted under the snapshot's key (RDS User Guide, "Restoring from a DB cluster
 * snapshot"), which is the recovery key the point was copied under; readiness checks it is. A
 * retry whose describe did not see the cluster yet gets DBClusterAlreadyExists: the earlier
 * restore stands.
 */
export async function restoreClusterFromSnapshot(
  rds: RDSClient,
  request: ClusterRestoreRequest,
): Promise<DBCluster> {
  try {
    const { DBCluster } = await rds.send(
      new RestoreDBClusterFromSnapshotCommand({
        DBClusterIdentifier: request.identifier,
        SnapshotIdentifier: request.snapshotIdentifier,
        Engine: request.engine,
        EngineVersion: request.engineVersion,
        DBSubnetGroupName: request.dbSubnetGroup,
        VpcSecurityGroupIds: request.securityGroupIds.length > 0 ? [...request.securityGroupIds] : undefined,
        DeletionProtection: false,
        CopyTagsToSnapshot: true,
        Tags: tagList(request.tags),
      }),
    );
    if (!DBCluster)
      throw new Error(`RestoreDBClusterFromSnapshot returned nothing for ${request.identifier}`);
    return DBCluster;
  } catch (error) {
    if (!isFault(error, 'DBClusterAlreadyExists')) throw error;
    return { DBClusterIdentifier: request.identifier, Status: 'creating' };
  }
}

export interface ClusterInstanceRequest {
  readonly identifier: string;
  readonly cluster: string;
  readonly engine: string;
  readonly dbInstanceClass: string;
  readonly tags: Record<string, string>;
}

/** One instance in a cluster; DBInstanceAlreadyExists means an earlier attempt's create stands. */
export async function createClusterInstance(
  rds: RDSClient,
  request: ClusterInstanceRequest,
): Promise<DBInstance> {
  try {
    const { DBInstance } = await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: request.identifier,
        DBClusterIdentifier: request.cluster,
        Engine: request.engine,
        DBInstanceClass: request.dbInstanceClass,
        PubliclyAccessible: false,
        Tags: tagList(request.tags),
      }),
    );
    return DBInstance ?? { DBInstanceIdentifier: request.identifier, DBInstanceStatus: 'creating' };
  } catch (error) {
    if (!isFault(error, 'DBInstanceAlreadyExists')) throw error;
    return { DBInstanceIdentifier: request.identifier, DBInstanceStatus: 'creating' };
  }
}

/** RDS names a fault `XFault` in some answers and `X` in others. */
function isFault(error: unknown, name: string): boolean {
  const actual = (error as Error | undefined)?.name;
  return actual === name || actual === `${name}Fault`;
}
