/**
 * Recovering an Aurora cluster that is a global database member: its member in the region the app
 * moves to is promoted to writer, nothing is restored. How: a switchover when the current writer's
 * region answers (no data loss), a failover allowing data loss when its API does not (the outage
 * failover exists for). A retry finds the promotion asked for or done and asks nothing again.
 */
import {
  AddTagsToResourceCommand,
  type DBCluster,
  DescribeDBClustersCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { TAG, tagMap } from '../recovery-points/recovery-point';
import type { AwsClients } from '../runtime/aws-clients';
import {
  describeGlobalDatabase,
  type GlobalDatabase,
  type Promotion,
  promoteGlobalMember,
} from './global-database';

/**
 * On the promoted member: how this failover episode (TAG.failover) promoted it, written before the
 * promotion is asked, so a retry reports the promotion (and the data loss a failover allowed)
 * rather than `already`.
 */
export const PROMOTED_BY_TAG = 'pendulum:promoted-by';

/** How the member was promoted; `already`: someone other than this episode had promoted it. */
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

/**
 * Promotes the member of `globalClusterIdentifier` in `region` for failover episode `episodeId`
 * and describes it. The choice is tagged on the member before it is asked for: a retry after the
 * promotion was accepted (a timeout, a lost answer) reads it back.
 */
export async function promoteGlobalCluster(
  clients: AwsClients,
  region: string,
  globalClusterIdentifier: string,
  episodeId: string,
): Promise<PromotedMember> {
  const rds = clients.rds(region);
  const db = await describeGlobalDatabase(rds, globalClusterIdentifier);
  if (!db)
    throw new GlobalMemberMissingError(`global database ${globalClusterIdentifier} not found from ${region}`);
  const target = db.members.find((m) => m.region === region);
  const done = target?.writer === true || (target && db.promoting?.to === target.clusterArn);
  const how = done ? undefined : promotionFor(await writerRegionAnswers(clients, db));
  if (how && target)
    await rds.send(
      new AddTagsToResourceCommand({
        ResourceName: target.clusterArn,
        Tags: [
          { Key: PROMOTED_BY_TAG, Value: how },
          { Key: TAG.failover, Value: episodeId },
        ],
      }),
    );
  const outcome = how ? await promoteGlobalMember(rds, db, region, how) : undefined;
  const clusterIdentifier = target?.clusterIdentifier ?? outcome?.target.clusterIdentifier ?? '';
  const cluster = await memberCluster(rds, clusterIdentifier);
  const asked =
    outcome?.asked === 'already' || !outcome ? recordedPromotion(cluster, episodeId) : outcome.asked;
  return {
    promotion: { globalClusterIdentifier, how: asked, dataLossAllowed: asked === 'failover' },
    cluster: cluster ?? { DBClusterIdentifier: clusterIdentifier },
  };
}

/** How this episode promoted the member, as tagged on it; `already` when another did. */
export function recordedPromotion(cluster: DBCluster | undefined, episodeId: string): Promotion | 'already' {
  const tags = tagMap(cluster?.TagList);
  const how = tags[PROMOTED_BY_TAG];
  return tags[TAG.failover] === episodeId && (how === 'switchover' || how === 'failover') ? how : 'already';
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
