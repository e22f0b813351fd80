/**
 * Promoting the recovery region's member of the plan's Aurora global databases (recoverTier) and
 * watching the promotion settle (checkTier). Nothing when the plan names no global database.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import { PROMOTED_BY_TAG } from '../../lambdas/failover/global-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { arnsFor, grant } from './grant';

/** The plan's global members: the primary cluster and its global database. */
export function planGlobalMembers(plan: Plan): { cluster: string; global: string }[] {
  return plan.tiers.flatMap((t) =>
    t.resources.flatMap((r) =>
      'aurora' in r && r.aurora.globalClusterIdentifier
        ? [{ cluster: r.aurora.clusterIdentifier, global: r.aurora.globalClusterIdentifier }]
        : [],
    ),
  );
}

/** `global-cluster:` ARNs have no region (RDS, Service Authorization Reference). */
function globalClusterArns(role: iam.IRole, plan: Plan): string[] {
  return planGlobalMembers(plan).map((m) => arnsFor(role).rds('', 'global-cluster', m.global));
}

const SECONDARY =
  "The plan names the global database, not its member in the recovery region: the call is bounded by the global database's ARN, the member is any cluster there.";

export function allowPromoteGlobalMembers(role: iam.IRole, plan: Plan): void {
  const members = planGlobalMembers(plan);
  if (members.length === 0) return;
  const arns = arnsFor(role);
  const globals = globalClusterArns(role, plan);
  allowDescribeGlobal(role, plan);
  grant(role, {
    sid: 'PromoteGlobalMembers',
    actions: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
    resources: [...globals, arns.rds(plan.recoveryRegion, 'cluster')],
    reason: SECONDARY,
  });
  grant(role, {
    sid: 'RecordGlobalPromotion',
    actions: ['rds:AddTagsToResource'],
    resources: [arns.rds(plan.recoveryRegion, 'cluster')],
    conditions: {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [PROMOTED_BY_TAG, TAG.failover] },
      StringLike: { [`aws:RequestTag/${PROMOTED_BY_TAG}`]: '*' },
    },
    reason: `${SECONDARY} Only the two tags that record how this failover promoted it, so a retry reports it.`,
  });
  grant(role, {
    sid: 'ReadPrimaryGlobalMembers',
    actions: ['rds:DescribeDBClusters'],
    resources: members.map((m) => arns.rds(plan.primaryRegion, 'cluster', m.cluster)),
    reason: "Whether the writer's region answers decides switchover or failover.",
  });
  grant(role, {
    sid: 'ReadRecoveryGlobalMembers',
    actions: ['rds:DescribeDBClusters'],
    resources: [arns.rds(plan.recoveryRegion, 'cluster')],
    reason: SECONDARY,
  });
}

/**
 * Failback of a global database member (sync-home): a switchover back to the member in the primary
 * region, never a failover (failback is planned and loses nothing).
 */
export function allowSwitchBackGlobalMembers(role: iam.IRole, plan: Plan): void {
  if (planGlobalMembers(plan).length === 0) return;
  allowDescribeGlobal(role, plan);
  grant(role, {
    sid: 'SwitchBackGlobalMembers',
    actions: ['rds:SwitchoverGlobalCluster'],
    resources: [...globalClusterArns(role, plan), arnsFor(role).rds(plan.primaryRegion, 'cluster')],
    reason:
      "The plan names the global database: the switchover is bounded by the global database's ARN; its member in the primary region takes the writer back.",
  });
}

/**
 * plan-failover's preflight: the plan's global databases, and whether their member in the
 * recovery region has an instance to serve from.
 */
export function allowCheckGlobalMemberPlacement(role: iam.IRole, plan: Plan): void {
  if (planGlobalMembers(plan).length === 0) return;
  allowDescribeGlobal(role, plan);
  grant(role, {
    sid: 'PreflightRecoveryGlobalMembers',
    actions: ['rds:DescribeDBClusters'],
    resources: [arnsFor(role).rds(plan.recoveryRegion, 'cluster')],
    reason: SECONDARY,
  });
}

export function allowCheckGlobalMembers(role: iam.IRole, plan: Plan): void {
  if (planGlobalMembers(plan).length === 0) return;
  allowDescribeGlobal(role, plan);
}

function allowDescribeGlobal(role: iam.IRole, plan: Plan): void {
  grant(role, {
    sid: 'ReadPlanGlobalDatabases',
    actions: ['rds:DescribeGlobalClusters'],
    resources: globalClusterArns(role, plan),
  });
}
