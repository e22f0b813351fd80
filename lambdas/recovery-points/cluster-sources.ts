/**
 * Aurora clusters as protection sees them: the cluster (its data, its tags, its key) and the shape
 * a restore must rebuild (the writer's instance class, how many readers). One DescribeDBClusters
 * per cluster (authorized on that cluster alone) and one DescribeDBInstances filtered by
 * `db-cluster-id` for the members' classes, whatever the number of clusters.
 */
import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  paginateDescribeDBInstances,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { errorName } from './capture';
import { tagMap } from './recovery-point';

const CONCURRENCY = 10;
/** RDS accepts at most 100 values per filter. */
const FILTER_VALUES_MAX = 100;

export interface LiveCluster {
  readonly id: string;
  /** The writer's DB instance class (what a restore gives its writer). */
  readonly writerClass?: string;
  /** Members that are not the writer. */
  readonly readers: number;
  readonly tags: Record<string, string>;
  readonly cluster: DBCluster;
}

const isClusterNotFound = (error: unknown) =>
  ['DBClusterNotFoundFault', 'DBClusterNotFound'].includes(errorName(error));

async function findCluster(rds: RDSClient, identifier: string): Promise<DBCluster | undefined> {
  try {
    const { DBClusters = [] } = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }),
    );
    return DBClusters[0];
  } catch (error) {
    if (isClusterNotFound(error)) return undefined;
    throw error;
  }
}

async function clusterInstances(rds: RDSClient, clusters: readonly string[]): Promise<DBInstance[]> {
  const instances: DBInstance[] = [];
  for (let i = 0; i < clusters.length; i += FILTER_VALUES_MAX) {
    const pages = paginateDescribeDBInstances(
      { client: rds, pageSize: 100 },
      { Filters: [{ Name: 'db-cluster-id', Values: clusters.slice(i, i + FILTER_VALUES_MAX) }] },
    );
    for await (const page of pages) instances.push(...(page.DBInstances ?? []));
  }
  return instances;
}

/** The clusters that exist, by identifier; a missing one is absent from the map. */
export async function describeLiveClusters(
  rds: RDSClient,
  identifiers: readonly string[],
): Promise<Map<string, LiveCluster>> {
  const live = new Map<string, LiveCluster>();
  if (identifiers.length === 0) return live;
  const found = (await mapWithConcurrency(identifiers, CONCURRENCY, (id) => findCluster(rds, id))).filter(
    (c): c is DBCluster => c?.DBClusterIdentifier !== undefined,
  );
  if (found.length === 0) return live;
  const classOf = new Map(
    (
      await clusterInstances(
        rds,
        found.map((c) => c.DBClusterIdentifier as string),
      )
    ).map((i) => [i.DBInstanceIdentifier, i.DBInstanceClass]),
  );
  for (const cluster of found) {
    const members = cluster.DBClusterMembers ?? [];
    const writer = members.find((m) => m.IsClusterWriter);
    const writerClass = writer ? classOf.get(writer.DBInstanceIdentifier) : undefined;
    live.set(cluster.DBClusterIdentifier as string, {
      id: cluster.DBClusterIdentifier as string,
      ...(writerClass ? { writerClass } : {}),
      readers: members.filter((m) => !m.IsClusterWriter).length,
      tags: tagMap(cluster.TagList),
      cluster,
    });
  }
  return live;
}
