/**
 * Recovering an Aurora cluster that is a global database member: its member in the region the app
 * moves to is promoted to writer, nothing is restored. How: a switchover when the current writer's
 * region answers (no data loss), a failover allowing data loss when its API does not (the outage
 * failover exists for). A retry finds the promotion asked for or done and asks nothing again.
 */
import { type DBCluster, DescribeDBClustersCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { AwsClients } from '../runtime/aws-clients';
import {
  describeGlobalDatabase,
  type GlobalDatabase,
  type Promotion,
  promoteGlobalMember,
} from './global-database';

/** How the member was promoted; `already`: an earlier attempt (or someone) had promoted it. */
export interface GlobalPromotion {
  readonly globalClusterIdentifier: string;
  readonly how: Promotion | 'already';
  /** A failover: what the primary had not yet replicated is lost. */
  readonly dataLossAllowed: boolean;
}

export class GlobalMemberMissingError extends Error {
  override readonly name = 'GlobalMemberMissingError';
}

/**
 * Whether the writer's region answers RDS: a describe of the writer cluster there. Any failure
 * (unreachable endpoint, 5xx, throttling that outlasted the SDK's retries) counts as not answering:
 * a switchover needs that region's API throughout, a failover does not.
 */
export async function writerRegionAnswers(clients: AwsClients, db: GlobalDatabase): Promise<boolean> {
  const writer = db.members.find((m) => m.writer);
  if (!writer) return false;
  try {
    await clients
      .rds(writer.region)
      .send(new DescribeDBClustersCommand({ DBClusterIdentifier: writer.clusterIdentifier }));
    return true;
  } catch {
    return false;
  }
}

/** Switchover when the writer's region answers, failover otherwise (pure, so it is tested as a rule). */
export function promotionFor(writerAnswers: boolean): Promotion {
  return writerAnswers ? 'switchover' : 'failover';
}

export interface PromotedMember {
  readonly promotion: GlobalPromotion;
  /** The member in `region`, as described after asking. */
  readonly cluster: DBCluster;
}

/** Promotes the member of `globalClusterIdentifier` in `region` and describes it. */
export async function promoteGlobalCluster(
  clients: AwsClients,
  region: string,
  globalClusterIdentifier: string,
): Promise<PromotedMember> {
  const rds = clients.rds(region);
  const db = await describeGlobalDatabase(rds, globalClusterIdentifier);
  if (!db)
    throw new GlobalMemberMissingError(`global database ${globalClusterIdentifier} not found from ${region}`);
  const target = db.members.find((m) => m.region === region);
  const done = target?.writer === true || (target && db.promoting?.to === target.clusterArn);
  const how = done ? undefined : promotionFor(await writerRegionAnswers(clients, db));
  const outcome = how ? await promoteGlobalMember(rds, db, region, how) : undefined;
  const asked = outcome?.asked ?? 'already';
  const clusterIdentifier = target?.clusterIdentifier ?? outcome?.target.clusterIdentifier ?? '';
  return {
    promotion: { globalClusterIdentifier, how: asked, dataLossAllowed: asked === 'failover' },
    cluster: (await memberCluster(rds, clusterIdentifier)) ?? { DBClusterIdentifier: clusterIdentifier },
  };
}

async function memberCluster(rds: RDSClient, identifier: string): Promise<DBCluster | undefined> {
  const { DBClusters = [] } = await rds.send(
    new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }),
  );
  return DBClusters[0];
}

/** The instances of a member cluster, its writer first: what readiness waits for. */
export function memberInstanceIds(cluster: DBCluster): string[] {
  const members = cluster.DBClusterMembers ?? [];
  return [...members.filter((m) => m.IsClusterWriter), ...members.filter((m) => !m.IsClusterWriter)].flatMap(
    (m) => m.DBInstanceIdentifier ?? [],
  );
}
