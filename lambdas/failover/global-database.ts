/**
 * Aurora global databases: the secondary cluster in the region the app moves to is promoted to be
 * the global database's writer. A switchover when the writer's region answers (RDS API Reference,
 * SwitchoverGlobalCluster: every secondary is synchronized first, no data is lost), a failover that
 * allows data loss when it does not (FailoverGlobalCluster with AllowDataLoss: what was not yet
 * replicated is lost, the promoted cluster is transactionally consistent). Idempotent: a target
 * that is already the writer, or on its way to be, is left alone.
 */
import {
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  type RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { errorName } from '../recovery-points/capture';

export interface GlobalMember {
  readonly clusterArn: string;
  /** The member's region, from its ARN. */
  readonly region: string;
  readonly clusterIdentifier: string;
  readonly writer: boolean;
}

export interface GlobalDatabase {
  readonly identifier: string;
  readonly status: string;
  readonly members: readonly GlobalMember[];
  /** A switchover or failover under way, and towards which cluster. */
  readonly promoting?: { readonly to: string; readonly status: string };
}

export function globalDatabaseOf(cluster: GlobalCluster): GlobalDatabase {
  const members = (cluster.GlobalClusterMembers ?? []).flatMap((m): GlobalMember[] => {
    const arn = m.DBClusterArn;
    if (!arn) return [];
    const parts = arn.split(':');
    return [
      {
        clusterArn: arn,
        region: parts[3] ?? '',
        clusterIdentifier: parts.slice(6).join(':'),
        writer: m.IsWriter === true,
      },
    ];
  });
  const state = cluster.FailoverState;
  return {
    identifier: cluster.GlobalClusterIdentifier ?? '',
    status: cluster.Status ?? 'unknown',
    members,
    ...(state?.ToDbClusterArn && state.Status
      ? { promoting: { to: state.ToDbClusterArn, status: state.Status } }
      : {}),
  };
}

export async function describeGlobalDatabase(
  rds: RDSClient,
  identifier: string,
): Promise<GlobalDatabase | undefined> {
  try {
    const { GlobalClusters = [] } = await rds.send(
      new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: identifier }),
    );
    const found = GlobalClusters.find((c) => c.GlobalClusterIdentifier === identifier);
    return found && globalDatabaseOf(found);
  } catch (error) {
    if (['GlobalClusterNotFoundFault', 'GlobalClusterNotFound'].includes(errorName(error))) return undefined;
    throw error;
  }
}

/** The member of the global database in `region`, if it has one. */
export function memberIn(db: GlobalDatabase, region: string): GlobalMember | undefined {
  return db.members.find((m) => m.region === region);
}

export type Promotion = 'switchover' | 'failover';

export interface PromotionOutcome {
  /** `already`: the target was the writer, or being made it, before this call. */
  readonly asked: Promotion | 'already';
  readonly target: GlobalMember;
}

/**
 * Makes the member in `region` the writer: `switchover` (no data loss; needs the current writer's
 * region) or `failover` (for when that region is down). Throws when the global database has no
 * member there.
 */
export async function promoteGlobalMember(
  rds: RDSClient,
  db: GlobalDatabase,
  region: string,
  how: Promotion,
): Promise<PromotionOutcome> {
  const target = memberIn(db, region);
  if (!target)
    throw new Error(
      `global database ${db.identifier} has no cluster in ${region}; its members are in ${db.members.map((m) => m.region).join(', ') || 'no region'}`,
    );
  if (target.writer || db.promoting?.to === target.clusterArn) return { asked: 'already', target };
  try {
    await rds.send(
      how === 'switchover'
        ? new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: db.identifier,
            TargetDbClusterIdentifier: target.clusterArn,
          })
        : new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: db.identifier,
            TargetDbClusterIdentifier: target.clusterArn,
            AllowDataLoss: true,
          }),
    );
  } catch (error) {
    // A retry after the promotion was accepted: the target is the writer (or becoming it) already.
    if (!['InvalidGlobalClusterStateFault', 'InvalidGlobalClusterState'].includes(errorName(error)))
      throw error;
    return { asked: 'already', target };
  }
  return { asked: how, target };
}

/** Whether the member in `region` writes for the global database and nothing is still moving. */
export function globalPromotionDone(db: GlobalDatabase | undefined, region: string): boolean {
  const target = db && memberIn(db, region);
  return target?.writer === true && db?.status === 'available' && db.promoting === undefined;
}
