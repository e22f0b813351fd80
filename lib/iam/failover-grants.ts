/**
 * What the failover workflow's tasks may do in the recovery region: read the catalogue of recovery
 * points, launch instances from Pendulum's AMIs and restore databases from its snapshots (tagged
 * as they are made), promote the plan's replicas, and tear down only what a drill made.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import { episodeDbIdentifierPattern } from '../../lambdas/failover/rds-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotPrefix } from '../../lambdas/recovery-points/recovery-point-names';
import { allowCheckGlobalMembers, allowPromoteGlobalMembers } from './global-cluster-grants';
import { arnsFor, grant } from './grant';
import { allowPlanKeys } from './kms-grants';
import { planDatabases, planInstances, planPlacements } from './plan-resources';

const EC2_LIST =
  'EC2 Describe* actions support no resource-level permissions; limited to the regions named by aws:RequestedRegion.';
const RDS_LIST =
  "A describe without an identifier is authorized on every database or snapshot of the region; it lists to find the app's (filtered by tag in code), read-only, in the plan's regions.";

/** EC2 reads (wildcard-only actions) in the given regions. */
export function allowEc2Describe(
  role: iam.IRole,
  regions: readonly string[],
  actions: readonly string[],
): void {
  grant(role, {
    sid: `Describe${actions.map((a) => a.replace(/^ec2:Describe/, '')).join('')}`,
    actions,
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': [...regions] } },
    reason: EC2_LIST,
  });
}

/** RDS describes of every database and/or snapshot in the given regions. */
export function allowRdsDescribe(
  role: iam.IRole,
  regions: readonly string[],
  what: readonly ('db' | 'snapshot')[],
): void {
  const arns = arnsFor(role);
  const actions = what.map((w) => (w === 'db' ? 'rds:DescribeDBInstances' : 'rds:DescribeDBSnapshots'));
  grant(role, {
    sid: `List${what.map((w) => (w === 'db' ? 'Databases' : 'DbSnapshots')).join('')}`,
    actions,
    // DescribeDBSnapshots of one database is authorized on the database, so both always name it.
    resources: regions.flatMap((region) => [
      arns.rds(region, 'db'),
      ...(what.includes('snapshot') ? [arns.rds(region, 'snapshot')] : []),
    ]),
    reason: RDS_LIST,
  });
}

/** The catalogue of recovery points and placements in the recovery region (plan and choose). */
export function allowReadCatalogue(role: iam.IRole, plan: Plan): void {
  const region = plan.recoveryRegion;
  allowEc2Describe(
    role,
    [region],
    ['ec2:DescribeImages', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
  );
  allowRdsDescribe(role, [region], ['db', 'snapshot']);
  allowListClusterPoints(role, plan);
}

/** The recovery points alone (choosing them). */
export function allowReadRecoveryPoints(role: iam.IRole, plan: Plan): void {
  allowEc2Describe(role, [plan.recoveryRegion], ['ec2:DescribeImages']);
  allowRdsDescribe(role, [plan.recoveryRegion], ['db', 'snapshot']);
  allowListClusterPoints(role, plan);
}

/** Cluster snapshot points are listed only when the plan names a cluster (listDbRecoveryPoints). */
function allowListClusterPoints(role: iam.IRole, plan: Plan): void {
  if (planDatabases(plan).clusters.length === 0) return;
  grant(role, {
    sid: 'ListClusterSnapshots',
    actions: ['rds:DescribeDBClusterSnapshots'],
    resources: [arnsFor(role).rds(plan.recoveryRegion, 'cluster-snapshot')],
    reason: RDS_LIST,
  });
}

/** The episode names of the plan's clusters (failover and drill), and of their instances. */
function episodeClusterArns(role: iam.IRole, plan: Plan) {
  const arns = arnsFor(role);
  const region = plan.recoveryRegion;
  const patterns = planDatabases(plan).clusters.flatMap((id) =>
    ['pf', 'dr'].map((marker) => episodeDbIdentifierPattern(id, marker)),
  );
  return {
    clusters: patterns.map((p) => arns.rds(region, 'cluster', p)),
    // `<cluster>-1`, `<cluster>-2`…: the instances match the cluster's own pattern.
    instances: patterns.map((p) => arns.rds(region, 'db', p)),
  };
}

const CLUSTER_NAMES =
  'Restored clusters are named <cluster>-pf-<episode> (-dr- for drills), their instances <cluster>-pf-<episode>-<n>; only those.';

/**
 * Launching the plan's instances from Pendulum's recovery points and restoring (or promoting) its
 * databases, in the recovery region, tagging what is made as it is made.
 */
export function allowRecoverTier(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const region = plan.recoveryRegion;
  const { keyNames, instanceRoles, dbSubnetGroups } = planPlacements(plan);
  const { identifiers, replicas, clusters } = planDatabases(plan);
  const appTag = { [`aws:ResourceTag/${TAG.app}`]: plan.app };
  allowEc2Describe(
    role,
    [region],
    ['ec2:DescribeInstances', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
  );
  allowLaunchNew(role, plan, region);
  grant(role, {
    sid: 'LaunchFromRecoveryPoints',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2(region, 'image')],
    conditions: { StringEquals: { ...appTag, [`aws:ResourceTag/${TAG.kind}`]: 'recovery-point' } },
    reason: "AMI ids are made by protect; only the app's recovery points (by the tags they were made with).",
  });
  grant(role, {
    sid: 'LaunchIntoPlacement',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2(region, 'subnet'), arns.ec2(region, 'security-group')],
    reason:
      'Placement subnets and security groups may be chosen by tag at run time; launching into them only, in the recovery region.',
  });
  if (keyNames.length > 0)
    grant(role, {
      sid: 'LaunchWithPlanKeyPairs',
      actions: ['ec2:RunInstances'],
      resources: keyNames.map((k) => arns.ec2(region, 'key-pair', k)),
    });
  grant(role, {
    sid: 'TagAtLaunchOnly',
    actions: ['ec2:CreateTags'],
    resources: ['instance', 'volume', 'network-interface'].map((t) => arns.ec2(region, t)),
    conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    reason:
      'Tags are applied only by RunInstances to what it launches (ec2:CreateAction); no existing resource can be tagged.',
  });
  allowPassInstanceRoles(role, instanceRoles);
  // Databases are restored, and instances launched, under the keys of their recovery points (the
  // plan's, there).
  const launches = planInstances(plan);
  allowPlanKeys(role, plan, region, [
    ...(identifiers.length + clusters.length > 0 ? (['rdsSource'] as const) : []),
    ...(launches.ids.length + launches.tags.length > 0 ? (['ebsLaunch'] as const) : []),
  ]);
  if (identifiers.length > 0) {
    const newDbs = identifiers.flatMap((id) =>
      ['pf', 'dr'].map((marker) => arns.rds(region, 'db', episodeDbIdentifierPattern(id, marker))),
    );
    grant(role, {
      sid: 'RestoreFromRecoveryPoints',
      actions: ['rds:RestoreDBInstanceFromDBSnapshot'],
      resources: [
        ...newDbs,
        arns.rds(region, 'snapshot', `${dbSnapshotPrefix(plan.app)}*`),
        ...dbSubnetGroups.map((g) => arns.rds(region, 'subgrp', g)),
      ],
      reason:
        "Restored databases are named <identifier>-pf-<episode> (-dr- for drills) and come only from the app's recovery-point snapshots.",
    });
    grant(role, {
      sid: 'TagRestoredDatabasesAtCreation',
      actions: ['rds:AddTagsToResource'],
      resources: newDbs,
      reason: 'Only the databases this task restores, by their episode names.',
    });
  }
  if (clusters.length > 0) allowRestoreClusters(role, plan, dbSubnetGroups);
  allowPromoteGlobalMembers(role, plan);
  if (replicas.length > 0)
    grant(role, {
      sid: 'PromotePlanReplicas',
      actions: ['rds:PromoteReadReplica'],
      resources: replicas.map((id) => arns.rds(region, 'db', id)),
    });
  grant(role, {
    sid: 'ReadRecoveredDatabases',
    actions: ['rds:DescribeDBInstances'],
    resources: [
      ...identifiers.flatMap((id) =>
        ['pf', 'dr'].map((m) => arns.rds(region, 'db', episodeDbIdentifierPattern(id, m))),
      ),
      ...replicas.map((id) => arns.rds(region, 'db', id)),
    ],
    reason: 'The databases this task restores, by their episode names, and the plan replicas.',
  });
}

/**
 * Restoring the plan's clusters from the app's cluster snapshot points, tagged as they are made
 * (RestoreDBClusterFromSnapshot; recoverTier finds a cluster by identifier before restoring it).
 */
function allowRestoreClusters(role: iam.IRole, plan: Plan, dbSubnetGroups: readonly string[]): void {
  const arns = arnsFor(role);
  const region = plan.recoveryRegion;
  const { clusters } = episodeClusterArns(role, plan);
  grant(role, {
    sid: 'RestoreClustersFromRecoveryPoints',
    actions: ['rds:RestoreDBClusterFromSnapshot'],
    resources: [
      ...clusters,
      arns.rds(region, 'cluster-snapshot', `${dbSnapshotPrefix(plan.app)}*`),
      ...dbSubnetGroups.map((g) => arns.rds(region, 'subgrp', g)),
    ],
    reason: `${CLUSTER_NAMES} They come only from the app's recovery-point cluster snapshots.`,
  });
  grant(role, {
    sid: 'TagRestoredClustersAtCreation',
    actions: ['rds:AddTagsToResource'],
    resources: clusters,
    conditions: { StringEquals: { [`aws:RequestTag/${TAG.app}`]: plan.app } },
    reason: CLUSTER_NAMES,
  });
  grant(role, {
    sid: 'ReadRestoredClusters',
    actions: ['rds:DescribeDBClusters'],
    resources: clusters,
    reason: CLUSTER_NAMES,
  });
}

/** New instances and volumes, tagged with the app as they launch; their network interfaces. */
export function allowLaunchNew(role: iam.IRole, plan: Plan, region: string): void {
  const arns = arnsFor(role);
  grant(role, {
    sid: 'LaunchNewInstances',
    actions: ['ec2:RunInstances'],
    resources: ['instance', 'volume'].map((t) => arns.ec2(region, t)),
    conditions: { StringEquals: { [`aws:RequestTag/${TAG.app}`]: plan.app } },
    reason:
      'Instances and volumes have no id before launch; they must be tagged with the app as they launch.',
  });
  grant(role, {
    sid: 'LaunchNewInterfaces',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2(region, 'network-interface')],
    reason: 'The network interface a launch creates has no id before it exists.',
  });
}

/** Passing the plan's instance roles to EC2, and only to EC2. */
export function allowPassInstanceRoles(role: iam.IRole, instanceRoles: readonly string[]): void {
  if (instanceRoles.length === 0) return;
  const arns = arnsFor(role);
  grant(role, {
    sid: 'PassPlanInstanceRoles',
    actions: ['iam:PassRole'],
    resources: instanceRoles.map((r) => arns.role(r)),
    conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
  });
}

/** Readiness of what a tier launched. */
export function allowCheckTier(role: iam.IRole, plan: Plan): void {
  // Volumes: a launched instance must have every volume its point promises (size, key).
  allowEc2Describe(role, [plan.recoveryRegion], ['ec2:DescribeInstances', 'ec2:DescribeVolumes']);
  allowRdsDescribe(role, [plan.recoveryRegion], ['db']);
  if (planDatabases(plan).clusters.length > 0) allowAddClusterInstances(role, plan);
  allowCheckGlobalMembers(role, plan);
}

/**
 * A readiness check describes the tier's clusters (one filtered describe: authorized on every
 * cluster of the region) and creates the instances a restored cluster is ready for, in it only.
 */
function allowAddClusterInstances(role: iam.IRole, plan: Plan): void {
  const { clusters, instances } = episodeClusterArns(role, plan);
  grant(role, {
    sid: 'ListClusters',
    actions: ['rds:DescribeDBClusters'],
    resources: [arnsFor(role).rds(plan.recoveryRegion, 'cluster')],
    reason: RDS_LIST,
  });
  grant(role, {
    sid: 'CreateInstancesInRestoredClusters',
    actions: ['rds:CreateDBInstance'],
    resources: [...instances, ...clusters],
    reason: CLUSTER_NAMES,
  });
  grant(role, {
    sid: 'TagClusterInstancesAtCreation',
    actions: ['rds:AddTagsToResource'],
    resources: instances,
    conditions: { StringEquals: { [`aws:RequestTag/${TAG.app}`]: plan.app } },
    reason: CLUSTER_NAMES,
  });
}

/** Terminating and deleting only what a drill made: resources carrying the drill tag, in the recovery region. */
export function allowTearDownDrill(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const region = plan.recoveryRegion;
  const drillMade = {
    StringEquals: { [`aws:ResourceTag/${TAG.app}`]: plan.app },
    StringLike: { [`aws:ResourceTag/${TAG.drill}`]: '?*' },
  };
  allowEc2Describe(role, [region], ['ec2:DescribeInstances']);
  allowRdsDescribe(role, [region], ['db']);
  grant(role, {
    sid: 'TerminateDrillInstances',
    actions: ['ec2:TerminateInstances'],
    resources: [arns.ec2(region, 'instance')],
    conditions: drillMade,
    reason:
      "Drill instances have run-time ids; only those carrying this app's drill tag, which only a drill's launch applies.",
  });
  const { identifiers, clusters } = planDatabases(plan);
  if (clusters.length > 0) {
    const drillClusters = clusters.map((id) => episodeDbIdentifierPattern(id, 'dr'));
    grant(role, {
      sid: 'ListClusters',
      actions: ['rds:DescribeDBClusters'],
      resources: [arns.rds(region, 'cluster')],
      reason: RDS_LIST,
    });
    grant(role, {
      sid: 'DeleteDrillClusters',
      actions: ['rds:DeleteDBInstance', 'rds:DeleteDBCluster'],
      resources: [
        ...drillClusters.map((p) => arns.rds(region, 'db', p)),
        ...drillClusters.map((p) => arns.rds(region, 'cluster', p)),
      ],
      conditions: drillMade,
      reason:
        'Drill clusters are named <cluster>-dr-<drill>, their instances <cluster>-dr-<drill>-<n>; only those, and only while they carry the drill tag.',
    });
  }
  if (identifiers.length > 0)
    grant(role, {
      sid: 'DeleteDrillDatabases',
      actions: ['rds:DeleteDBInstance'],
      resources: identifiers.map((id) => arns.rds(region, 'db', episodeDbIdentifierPattern(id, 'dr'))),
      conditions: drillMade,
      reason:
        'Drill databases are named <identifier>-dr-<drill>; only those, and only while they carry the drill tag.',
    });
}
