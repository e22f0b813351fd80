/**
 * What the protect task may do with the plan's Aurora clusters, and nothing more (nothing at all
 * when the plan names none): forward, snapshot the plan's clusters in the primary region, copy the
 * snapshots to the recovery region, and delete only protect's own cluster snapshots (by the
 * `pendulum-<app>-rp-` prefix); reverse (while failed over), the same of the recovered clusters
 * (`<cluster>-pf-<episode>`, as failover names what it restores) under the `pendulum-<app>-rv-`
 * prefix. Never DeleteDBCluster or ModifyDBCluster, never a snapshot outside those prefixes.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import { episodeDbIdentifierPattern } from '../../lambdas/failover/rds-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import {
  dbSnapshotPrefix,
  reverseDbSnapshotPrefix,
} from '../../lambdas/recovery-points/recovery-point-names';
import { arnsFor, grant } from './grant';
import { planAuroraClusters } from './plan-resources';

const CLUSTER_LIST =
  'DescribeDBClusterSnapshots filtered by cluster, and DescribeDBInstances filtered by db-cluster-id, are authorized on every snapshot or database of the region; read-only, in the plan regions.';

/** Forward protection of the plan's clusters (and the listing both directions share). */
export function allowClusterProtection(role: iam.IRole, plan: Plan): void {
  const clusters = planAuroraClusters(plan);
  if (clusters.length === 0) return;
  const arns = arnsFor(role);
  const primary = plan.primaryRegion;
  const regions = [primary, plan.recoveryRegion];
  const points = regions.map((r) => arns.rds(r, 'cluster-snapshot', `${dbSnapshotPrefix(plan.app)}*`));
  grant(role, {
    sid: 'DescribePlanClusters',
    actions: ['rds:DescribeDBClusters'],
    resources: clusters.map((c) => arns.rds(primary, 'cluster', c)),
  });
  grant(role, {
    sid: 'ListPlanClusterMembers',
    actions: ['rds:DescribeDBInstances'],
    resources: [arns.rds(primary, 'db')],
    reason: CLUSTER_LIST,
  });
  // Forward points in the recovery region, reverse ones in both: one statement for both directions.
  grant(role, {
    sid: 'ListClusterSnapshots',
    actions: ['rds:DescribeDBClusterSnapshots'],
    resources: regions.map((r) => arns.rds(r, 'cluster-snapshot')),
    reason: CLUSTER_LIST,
  });
  grant(role, {
    sid: 'SnapshotPlanClusters',
    actions: ['rds:CreateDBClusterSnapshot'],
    resources: [...clusters.map((c) => arns.rds(primary, 'cluster', c)), points[0] as string],
    reason:
      "Snapshot identifiers include their capture time; limited to protect's pendulum-<app>-rp- prefix.",
  });
  grant(role, {
    sid: 'CopyTagAndPruneClusterPoints',
    actions: ['rds:CopyDBClusterSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBClusterSnapshot'],
    resources: points,
    reason: "Only protect's own cluster snapshots (pendulum-<app>-rp-), never failback's or a final one.",
  });
}

/** Reverse protection of the clusters failover restored in the recovery region. */
export function allowReverseClusterProtection(role: iam.IRole, plan: Plan): void {
  const clusters = planAuroraClusters(plan);
  if (clusters.length === 0) return;
  const arns = arnsFor(role);
  const recovery = plan.recoveryRegion;
  const regions = [recovery, plan.primaryRegion];
  const recovered = clusters.map((c) => arns.rds(recovery, 'cluster', episodeDbIdentifierPattern(c)));
  const points = regions.map((r) => arns.rds(r, 'cluster-snapshot', `${reverseDbSnapshotPrefix(plan.app)}*`));
  const episode = 'Recovered identifiers carry the failover episode';
  grant(role, {
    sid: 'DescribeRecoveredClusters',
    actions: ['rds:DescribeDBClusters'],
    resources: recovered,
    reason: `${episode}; only those of the plan's clusters, in the recovery region.`,
  });
  grant(role, {
    sid: 'ListRecoveredClusterMembers',
    actions: ['rds:DescribeDBInstances'],
    resources: [arns.rds(recovery, 'db')],
    reason: CLUSTER_LIST,
  });
  grant(role, {
    sid: 'SnapshotRecoveredClusters',
    actions: ['rds:CreateDBClusterSnapshot'],
    resources: [...recovered, points[0] as string],
    reason: `${episode}; snapshots are limited to protect's pendulum-<app>-rv- prefix.`,
  });
  grant(role, {
    sid: 'CopyTagAndPruneReverseClusterPoints',
    actions: ['rds:CopyDBClusterSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBClusterSnapshot'],
    resources: points,
    reason: "Only protect's own reverse cluster snapshots (pendulum-<app>-rv-).",
  });
}
