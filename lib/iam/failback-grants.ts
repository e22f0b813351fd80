/**
 * What each failback task may do, and nothing more. Deletes and terminations reach only:
 * - recovery copies, by the tags Pendulum gave them when it made them, in the recovery region;
 * - the stale primary, as the plan selects it (instance ids or tag selectors, database identifiers),
 *   in the primary region;
 * - failback's own intermediates (sync snapshots by name, home images by tag).
 * No role may delete a final snapshot or AMI, and no role may tag an existing EC2 resource.
 */
import { Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import {
  FAILBACK_KIND,
  FAILBACK_TAG,
  finalSnapshotPrefix,
  frozenParameterGroupPrefix,
  homeSnapshotPrefix,
} from '../../lambdas/failback/home-names';
import { retirementSchedulePrefix } from '../../lambdas/failback/scheduled-retirement';
import { episodeDbIdentifierPattern } from '../../lambdas/failover/rds-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import {
  allowEc2Describe,
  allowLaunchNew,
  allowPassInstanceRoles,
  allowRdsDescribe,
} from './failover-grants';
import { allowSwitchBackGlobalMembers, planGlobalMembers } from './global-cluster-grants';
import { arnsFor, grant } from './grant';
import { allowAwsManagedKeyLookup, allowPlanKeys } from './kms-grants';
import { planDatabases, planInstances, planPlacements } from './plan-resources';

type Arns = ReturnType<typeof arnsFor>;

const appTagged = (plan: Plan, kind?: string) => ({
  StringEquals: {
    [`aws:ResourceTag/${TAG.app}`]: plan.app,
    ...(kind ? { [`aws:ResourceTag/${TAG.kind}`]: kind } : {}),
  },
});

/**
 * An action on the app's instances in one region: those Pendulum launched (tagged with the app at
 * launch), and those the plan selects (its ids, its tag selectors). One statement per selector.
 */
function onAppInstances(
  role: iam.IRole,
  plan: Plan,
  region: string,
  sid: string,
  actions: readonly string[],
  which: { pendulumMade: boolean },
): void {
  const arns = arnsFor(role);
  const { ids, tags } = planInstances(plan);
  if (which.pendulumMade)
    grant(role, {
      sid: `${sid}Launched`,
      actions,
      resources: [arns.ec2(region, 'instance')],
      conditions: appTagged(plan),
      reason: `Instances Pendulum launched for ${plan.app}, by the app tag it gave them at launch (no role may tag an existing instance).`,
    });
  if (ids.length > 0)
    grant(role, {
      sid: `${sid}PlanIds`,
      actions,
      resources: ids.map((id) => arns.ec2(region, 'instance', id)),
    });
  tags.forEach((tag, index) => {
    grant(role, {
      sid: `${sid}Selected${index}`,
      actions,
      resources: [arns.ec2(region, 'instance')],
      conditions: { StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
      reason: `The plan selects these instances by the tag ${tag.key}=${tag.value}; no Pendulum role can add that tag to an existing instance.`,
    });
  });
}

/** Final AMIs of what is retired: new images and snapshots tagged as made. */
function allowFinalImages(role: iam.IRole, region: string, arns: Arns): void {
  grant(role, {
    sid: 'MakeFinalImages',
    actions: ['ec2:CreateImage'],
    resources: [arns.ec2(region, 'image'), arns.ec2(region, 'snapshot')],
    reason:
      'AMI and snapshot ids exist only once made; the instance they image is limited by its own statement.',
  });
  allowTagOnCreate(role, [region], ['CreateImage'], ['image', 'snapshot'], arns);
}

function allowTagOnCreate(
  role: iam.IRole,
  regions: readonly string[],
  createActions: readonly string[],
  types: readonly string[],
  arns: Arns,
): void {
  grant(role, {
    sid: `TagOnCreate${createActions.join('')}`,
    actions: ['ec2:CreateTags'],
    resources: regions.flatMap((region) => types.map((t) => arns.ec2(region, t))),
    conditions: { StringEquals: { 'ec2:CreateAction': [...createActions] } },
    reason:
      'Tags are applied only by the action that makes the resource (ec2:CreateAction); no existing resource can be tagged.',
  });
}

/** Databases the recovery region runs for the app: restored copies and promoted plan replicas. */
function recoveryDatabases(plan: Plan, arns: Arns): string[] {
  const { identifiers, replicas } = planDatabases(plan);
  const region = plan.recoveryRegion;
  return [
    ...identifiers.map((id) => arns.rds(region, 'db', episodeDbIdentifierPattern(id, 'pf'))),
    ...replicas.map((id) => arns.rds(region, 'db', id)),
  ];
}

const homeDbs = (plan: Plan, arns: Arns, marker: 'fb' | 'stale') =>
  planDatabases(plan).identifiers.map((id) =>
    arns.rds(plan.primaryRegion, 'db', episodeDbIdentifierPattern(id, marker)),
  );

/**
 * Reconcile: read DNS and what runs in both regions, and the recovery region's subnets, to find
 * what sits in the placement's subnets without being in the inventory.
 */
export function allowReconcile(role: iam.IRole, plan: Plan): void {
  const regions = [plan.primaryRegion, plan.recoveryRegion];
  allowEc2Describe(role, regions, ['ec2:DescribeInstances']);
  allowEc2Describe(role, [plan.recoveryRegion], ['ec2:DescribeSubnets']);
  allowRdsDescribe(role, regions, ['db']);
  // Which recovered clusters still run, which stale primary clusters are still there, and which
  // clusters the inventory does not know run in the recovery region (a cluster made there while
  // failed over holds writes failback would not bring home): describes authorized on every
  // cluster of the region.
  grant(role, {
    sid: 'ListClusters',
    actions: ['rds:DescribeDBClusters'],
    resources: regions.map((region) => arnsFor(role).rds(region, 'cluster')),
    reason:
      'DescribeDBClusters of the region (all, or filtered by cluster id) is authorized on every cluster of the region; read-only, in the plan regions.',
  });
}

/** SyncHome: image recovery instances, copy them home and launch them; carry the data home. */
export function allowSyncHome(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const home = plan.primaryRegion;
  const recovery = plan.recoveryRegion;
  const { identifiers, clusters } = planDatabases(plan);
  allowEc2Describe(role, [home, recovery], ['ec2:DescribeInstances', 'ec2:DescribeImages']);
  // Which key each recovery image's snapshots are under (DescribeImages does not say).
  allowEc2Describe(role, [recovery], ['ec2:DescribeSnapshots']);
  // Volumes: a home instance must have every volume its image promises (size, key).
  allowEc2Describe(role, [home], ['ec2:DescribeVolumes']);
  allowRdsDescribe(role, [home, recovery], ['db', 'snapshot']);
  // The plan's keys: home copies read the recovery databases under the recovery region's key and
  // are written (and restored) under the primary's.
  // Images of the recovery instances are copied home under the primary's key and launched there.
  const dbKeys = identifiers.length + clusters.length > 0;
  allowPlanKeys(role, plan, recovery, ['describe', 'ebsSource', ...(dbKeys ? (['rdsSource'] as const) : [])]);
  allowAwsManagedKeyLookup(role, [recovery]);
  allowPlanKeys(role, plan, home, [
    'describe',
    'ebsTarget',
    'ebsLaunch',
    ...(dbKeys ? (['rdsTarget', 'rdsSource'] as const) : []),
  ]);

  // Instances: an image in the recovery region, copied home, launched there.
  onAppInstances(role, plan, recovery, 'ImageRecoveryInstances', ['ec2:CreateImage'], { pendulumMade: true });
  grant(role, {
    sid: 'MakeHomeImages',
    actions: ['ec2:CreateImage', 'ec2:CopyImage'],
    resources: [home, recovery].flatMap((r) => [arns.ec2(r, 'image'), arns.ec2(r, 'snapshot')]),
    conditions: { StringEquals: { [`aws:RequestTag/${TAG.kind}`]: FAILBACK_KIND.homeImage } },
    reason:
      'AMI and snapshot ids exist only once made; each must be tagged as a failback image as it is made.',
  });
  grant(role, {
    sid: 'CopyHomeImages',
    actions: ['ec2:CopyImage'],
    resources: [arns.ec2(recovery, 'image')],
    conditions: appTagged(plan, FAILBACK_KIND.homeImage),
    reason: "Only this app's failback images are copied home (by the tags they were made with).",
  });
  allowTagOnCreate(
    role,
    [home, recovery],
    ['CreateImage', 'CopyImage', 'RunInstances'],
    ['image', 'snapshot', 'instance', 'volume', 'network-interface'],
    arns,
  );
  grant(role, {
    sid: 'DeleteIntermediateImages',
    actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
    resources: [recovery, home].flatMap((r) => [arns.ec2(r, 'image'), arns.ec2(r, 'snapshot')]),
    conditions: appTagged(plan, FAILBACK_KIND.homeImage),
    reason:
      "Only this app's failback images and their snapshots, by the tags they were made with; never a final AMI.",
  });
  allowLaunchNew(role, plan, home);
  grant(role, {
    sid: 'LaunchHomeFromHomeImages',
    actions: ['ec2:RunInstances'],
    resources: [arns.ec2(home, 'image')],
    conditions: appTagged(plan, FAILBACK_KIND.homeImage),
    reason: "Only this app's failback images (by the tags they were made with).",
  });
  grant(role, {
    sid: 'LaunchHomeIntoStalePlacement',
    actions: ['ec2:RunInstances'],
    resources: ['subnet', 'security-group', 'key-pair'].map((t) => arns.ec2(home, t)),
    reason:
      'Home instances take the subnet, security groups and key pair of the stale instance they replace, known at run time; primary region only.',
  });
  allowPassInstanceRoles(role, planPlacements(plan).instanceRoles);
  allowSyncHomeClusters(role, plan);

  // Data: a snapshot of the recovery database copied home and restored, or a replica of it.
  if (identifiers.length === 0) return;
  const syncSnapshots = [home, recovery].map((r) =>
    arns.rds(r, 'snapshot', `${homeSnapshotPrefix(plan.app)}*`),
  );
  const newHome = homeDbs(plan, arns, 'fb');
  grant(role, {
    sid: 'SnapshotRecoveryDatabases',
    actions: ['rds:CreateDBSnapshot', 'rds:CreateDBInstanceReadReplica'],
    resources: recoveryDatabases(plan, arns),
    reason:
      'The recovery databases by their episode names (<identifier>-pf-<episode>) and the plan replicas.',
  });
  grant(role, {
    sid: 'CarrySyncSnapshots',
    actions: ['rds:CreateDBSnapshot', 'rds:CopyDBSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBSnapshot'],
    resources: syncSnapshots,
    reason:
      "Failback's sync snapshots only, by their name prefix (pendulum-<app>-fb-); never a recovery point or a final snapshot.",
  });
  grant(role, {
    sid: 'RestoreHome',
    actions: [
      'rds:RestoreDBInstanceFromDBSnapshot',
      'rds:CreateDBInstanceReadReplica',
      'rds:AddTagsToResource',
    ],
    resources: [...newHome, arns.rds(home, 'subgrp')],
    reason:
      'Home databases are named <identifier>-fb-<episode>; they take the subnet group of the stale primary, known at run time.',
  });
  grant(role, {
    sid: 'SetAsideSupersededHome',
    actions: ['rds:DeleteDBInstance', 'rds:CreateDBSnapshot'],
    resources: newHome,
    conditions: { StringLike: { [`aws:ResourceTag/${TAG.failback}`]: '*' } },
    reason:
      'A home database restored before a write freeze that was undone: only <identifier>-fb-<episode>, which failback made and tagged; a final snapshot is always kept (next statement).',
  });
  grant(role, {
    sid: 'KeepFinalOfSupersededHome',
    actions: ['rds:CreateDBSnapshot'],
    resources:
      planDatabases(plan).identifiers.length > 0
        ? [arns.rds(home, 'snapshot', `${finalSnapshotPrefix(plan.app)}*`)]
        : [],
    reason: 'Final snapshots by their name prefix; no Pendulum role may delete one.',
  });
  grant(role, {
    sid: 'RestoreFromSyncSnapshots',
    actions: ['rds:RestoreDBInstanceFromDBSnapshot'],
    resources: [syncSnapshots[0] as string],
    reason: "Failback's sync snapshots only, by their name prefix.",
  });
}

/**
 * Aurora clusters come home by snapshot (home-clusters): a cluster snapshot of the recovery cluster
 * (`<cluster>-pf-<episode>`), copied home under failback's sync-snapshot prefix, restored as
 * `<cluster>-fb-<episode>` with its instances `<cluster>-fb-<episode>-<n>`. Nothing when the plan
 * names no cluster.
 */
function allowSyncHomeClusters(role: iam.IRole, plan: Plan): void {
  allowSwitchBackGlobalMembers(role, plan);
  // A global database member is switched back, never copied: no snapshot grant for it.
  const globals = new Set(planGlobalMembers(plan).map((m) => m.cluster));
  const { clusters: all } = planDatabases(plan);
  const clusters = all.filter((c) => !globals.has(c));
  if (all.length > 0)
    grant(role, {
      sid: 'ListClustersBothRegions',
      actions: ['rds:DescribeDBClusters'],
      resources: [plan.primaryRegion, plan.recoveryRegion].map((r) => arnsFor(role).rds(r, 'cluster')),
      reason:
        'DescribeDBClusters filtered by cluster id is authorized on every cluster of the region; read-only, in the plan regions.',
    });
  if (clusters.length === 0) return;
  const arns = arnsFor(role);
  const home = plan.primaryRegion;
  const recovery = plan.recoveryRegion;
  const syncSnapshots = [home, recovery].map((r) =>
    arns.rds(r, 'cluster-snapshot', `${homeSnapshotPrefix(plan.app)}*`),
  );
  const recovered = clusters.map((c) => arns.rds(recovery, 'cluster', episodeDbIdentifierPattern(c, 'pf')));
  const homeClusters = clusters.map((c) => arns.rds(home, 'cluster', episodeDbIdentifierPattern(c, 'fb')));
  const homeMembers = clusters.map((c) => arns.rds(home, 'db', episodeDbIdentifierPattern(c, 'fb')));
  grant(role, {
    sid: 'ReadClusterSyncSnapshots',
    actions: ['rds:DescribeDBClusterSnapshots'],
    resources: syncSnapshots,
    reason: "Failback's cluster sync snapshots, looked up by identifier (pendulum-<app>-fb-).",
  });
  grant(role, {
    sid: 'SnapshotRecoveryClusters',
    actions: ['rds:CreateDBClusterSnapshot'],
    resources: [...recovered, syncSnapshots[1] as string],
    reason:
      "The recovery clusters by their episode names (<cluster>-pf-<episode>), into failback's sync-snapshot prefix only.",
  });
  grant(role, {
    sid: 'CarryClusterSyncSnapshots',
    actions: ['rds:CopyDBClusterSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBClusterSnapshot'],
    resources: syncSnapshots,
    reason:
      "Failback's cluster sync snapshots only, by their name prefix (pendulum-<app>-fb-); never a recovery point or a final snapshot.",
  });
  grant(role, {
    sid: 'RestoreHomeClusters',
    actions: ['rds:RestoreDBClusterFromSnapshot'],
    resources: [...homeClusters, syncSnapshots[0] as string, arns.rds(home, 'subgrp')],
    reason:
      "Home clusters are named <cluster>-fb-<episode>, from failback's sync snapshots; they take the stale primary cluster's subnet group, known at run time.",
  });
  grant(role, {
    sid: 'AddInstancesToHomeClusters',
    actions: ['rds:CreateDBInstance', 'rds:AddTagsToResource'],
    resources: [...homeClusters, ...homeMembers],
    reason: 'Home cluster instances are named <cluster>-fb-<episode>-<n>, in home clusters only.',
  });
}

/** FinaliseHome: promote the home replica, set the stale primary aside, give home the plan's identifier. */
export function allowFinaliseHome(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const home = plan.primaryRegion;
  const { identifiers } = planDatabases(plan);
  allowRdsDescribe(role, [home], ['db']);
  grant(role, {
    sid: 'ReadReplicaLag',
    actions: ['cloudwatch:GetMetricStatistics'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:RequestedRegion': home } },
    reason:
      'cloudwatch:GetMetricStatistics supports no resource-level permissions; read-only, in the home region.',
  });
  if (identifiers.length > 0) {
    const stale = identifiers.map((id) => arns.rds(home, 'db', id));
    grant(role, {
      sid: 'SwapHomeAndStale',
      actions: [
        'rds:ModifyDBInstance',
        'rds:AddTagsToResource',
        'rds:PromoteReadReplica',
        'rds:StartDBInstance',
      ],
      resources: [...stale, ...homeDbs(plan, arns, 'fb'), ...homeDbs(plan, arns, 'stale')],
      reason: "The plan's databases in the primary region and the home databases by their episode names.",
    });
  }
  allowFinaliseHomeClusters(role, plan, arns);
}

/**
 * FinaliseHome of Aurora clusters (nothing when the plan names none): set the stale primary cluster
 * aside (tagged stale, with its instances) and give the home cluster the plan's identifier.
 */
function allowFinaliseHomeClusters(role: iam.IRole, plan: Plan, arns: Arns): void {
  const { clusters } = planDatabases(plan);
  if (clusters.length === 0) return;
  const home = plan.primaryRegion;
  grant(role, {
    sid: 'ListHomeClusters',
    actions: ['rds:DescribeDBClusters'],
    resources: [arns.rds(home, 'cluster')],
    reason:
      'DescribeDBClusters filtered by cluster id (home, stale and set-aside names in one call) is authorized on every cluster of the region; read-only, in the home region.',
  });
  grant(role, {
    sid: 'SwapHomeAndStaleClusters',
    actions: ['rds:ModifyDBCluster', 'rds:AddTagsToResource', 'rds:StartDBCluster'],
    resources: clusters.flatMap((id) => [
      arns.rds(home, 'cluster', id),
      arns.rds(home, 'cluster', episodeDbIdentifierPattern(id, 'fb')),
      arns.rds(home, 'cluster', episodeDbIdentifierPattern(id, 'stale')),
    ]),
    reason:
      "The plan's clusters in the primary region, and the home and set-aside clusters by their episode names (<cluster>-fb-<episode>, <cluster>-stale-<episode>), known only at run time.",
  });
  grant(role, {
    sid: 'TagStaleClusterInstances',
    actions: ['rds:AddTagsToResource'],
    resources: [arns.rds(home, 'db')],
    conditions: {
      'ForAllValues:StringEquals': { 'aws:TagKeys': [FAILBACK_TAG.stale, TAG.app] },
      Null: { [`aws:RequestTag/${FAILBACK_TAG.stale}`]: 'false' },
      StringEquals: { [`aws:RequestTag/${TAG.app}`]: plan.app },
    },
    reason: `The stale cluster's instances carry the estate's own names, unknown at synth; on DB instances of the home region this adds only the ${FAILBACK_TAG.stale} mark with the app's own tag (what lets this app's retirement of the stale cluster delete them), no other tag key.`,
  });
}

/** RetireStalePrimary: final AMIs and snapshots, then terminate and delete what the plan selects there. */
export function allowRetireStalePrimary(role: iam.IRole, plan: Plan): void {
  allowRetire(role, plan, plan.primaryRegion, 'RetireStale', {
    pendulumMade: false,
    databases: homeDbs(plan, arnsFor(role), 'stale'),
    clusters: { marker: 'stale', members: 'stale-mark' },
  });
}

/** RetireRecoveryCopies: final AMIs and snapshots, then terminate and delete the recovery copies. */
export function allowRetireRecoveryCopies(role: iam.IRole, plan: Plan): void {
  allowRetire(role, plan, plan.recoveryRegion, 'RetireCopy', {
    pendulumMade: true,
    databases: recoveryDatabases(plan, arnsFor(role)),
    clusters: { marker: 'pf', members: 'by-name' },
  });
}

/** Retiring in one region: which instances (Pendulum's own, or only the plan's) and databases. */
function allowRetire(
  role: iam.IRole,
  plan: Plan,
  region: string,
  sid: string,
  what: { pendulumMade: boolean; databases: string[]; clusters: RetiredClusters },
): void {
  const arns = arnsFor(role);
  allowEc2Describe(role, [region], ['ec2:DescribeInstances', 'ec2:DescribeImages']);
  allowRdsDescribe(role, [region], ['db', 'snapshot']);
  onAppInstances(
    role,
    plan,
    region,
    sid,
    ['ec2:CreateImage', 'ec2:TerminateInstances', 'ec2:ModifyInstanceAttribute'],
    { pendulumMade: what.pendulumMade },
  );
  allowFinalImages(role, region, arns);
  allowRetireDatabases(role, plan, region, what.databases, arns);
  allowRetireClusters(role, plan, region, what.clusters, arns);
}

/**
 * Which clusters a retiring role deletes: the stale primary's once set aside
 * (`<cluster>-stale-<episode>`, instances with the estate's own names, marked stale by
 * finalise-home), or the recovery copies (`<cluster>-pf-<episode>`, instances `<that>-<n>`).
 */
interface RetiredClusters {
  readonly marker: 'stale' | 'pf';
  readonly members: 'stale-mark' | 'by-name';
}

/**
 * Deleting the plan's clusters instances first, then each with a final cluster snapshot Pendulum
 * names, which it then tags. Only when the plan names a cluster. DeleteDBCluster is authorized on
 * the cluster and on the final cluster snapshot it makes (Service Authorization Reference, Amazon
 * RDS: DeleteDBCluster requires cluster* and cluster-snapshot*).
 */
function allowRetireClusters(
  role: iam.IRole,
  plan: Plan,
  region: string,
  what: RetiredClusters,
  arns: Arns,
): void {
  const { clusters } = planDatabases(plan);
  if (clusters.length === 0) return;
  const finalClusterSnapshots = arns.rds(region, 'cluster-snapshot', `${finalSnapshotPrefix(plan.app)}*`);
  grant(role, {
    sid: 'ListClustersAndClusterSnapshots',
    actions: ['rds:DescribeDBClusters', 'rds:DescribeDBClusterSnapshots'],
    resources: [arns.rds(region, 'cluster'), arns.rds(region, 'cluster-snapshot')],
    reason:
      'A filtered DescribeDBClusters is authorized on every cluster of the region, a cluster snapshot looked up by id on that id; read-only, in this region.',
  });
  // IAM cannot require DeleteDBCluster's final snapshot (skipping it names no snapshot): the
  // retiring code always asks for one, under the final prefix (next statement).
  grant(role, {
    sid: 'RetireClusters',
    actions: ['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:ModifyDBCluster'],
    resources: clusters.map((id) => arns.rds(region, 'cluster', episodeDbIdentifierPattern(id, what.marker))),
    ...(what.marker === 'pf' ? { conditions: appTagged(plan) } : {}),
    reason:
      what.marker === 'stale'
        ? "Only the plan's clusters once set aside by finalise-home (<cluster>-stale-<episode>; the estate's own, so untagged by Pendulum); deletion protection is lifted first, as for databases."
        : 'Only the clusters failover restored, by their episode names (<cluster>-pf-<episode>) and the app tag they were restored with; deletion protection is lifted first, as for databases.',
  });
  grant(role, {
    sid: 'KeepFinalClusterSnapshots',
    actions: ['rds:DeleteDBCluster', 'rds:CreateDBClusterSnapshot', 'rds:AddTagsToResource'],
    resources: [finalClusterSnapshots],
    reason:
      'The final cluster snapshot DeleteDBCluster makes, named pendulum-<app>-final-<episode>-<source>; made and tagged, never deleted (no rds:DeleteDBClusterSnapshot).',
  });
  if (what.members === 'stale-mark')
    grant(role, {
      sid: 'DeleteStaleClusterInstances',
      actions: ['rds:DeleteDBInstance'],
      resources: [arns.rds(region, 'db')],
      conditions: {
        StringLike: { [`aws:ResourceTag/${FAILBACK_TAG.stale}`]: '*' },
        StringEquals: { [`aws:ResourceTag/${TAG.app}`]: plan.app },
      },
      reason: `The stale cluster's instances keep the estate's own names, which the plan does not know; only those this app's finalise-home marked ${FAILBACK_TAG.stale} with its ${TAG.app} tag, which no retiring role can tag (another app's stale instances carry its own app tag). An Aurora instance keeps no data of its own (the cluster's final snapshot does).`,
    });
  else
    grant(role, {
      sid: 'DeleteRecoveryClusterInstances',
      actions: ['rds:DeleteDBInstance'],
      resources: clusters.map((id) => arns.rds(region, 'db', episodeDbIdentifierPattern(id, 'pf'))),
      conditions: appTagged(plan),
      reason:
        'The instances failover made in the recovery clusters, named <cluster>-pf-<episode>-<n> and tagged with the app as made. An Aurora instance keeps no data of its own (the cluster final snapshot does).',
    });
}

/** Deleting databases only with a final snapshot Pendulum names, which it then tags. */
function allowRetireDatabases(
  role: iam.IRole,
  plan: Plan,
  region: string,
  databases: string[],
  arns: Arns,
): void {
  if (databases.length === 0) return;
  grant(role, {
    sid: 'RetireDatabases',
    actions: ['rds:DeleteDBInstance', 'rds:CreateDBSnapshot', 'rds:ModifyDBInstance'],
    resources: databases,
    reason: 'Only the databases retired here, by their episode names or the plan identifiers.',
  });
  grant(role, {
    sid: 'KeepFinalSnapshots',
    actions: ['rds:CreateDBSnapshot', 'rds:AddTagsToResource'],
    resources: [arns.rds(region, 'snapshot', `${finalSnapshotPrefix(plan.app)}*`)],
    reason:
      'Final snapshots are named pendulum-<app>-final-<episode>-<source>; made and tagged, never deleted.',
  });
}

/**
 * ScheduleRetirement: the app's retirement schedules only (by name prefix, in the stack's schedule
 * group and region), started with the retirement scheduler role only.
 */
export function allowScheduleRetirement(
  role: iam.IRole,
  plan: Plan,
  schedules: { group: string; schedulerRole: iam.IRole },
): void {
  const { account } = arnsFor(role);
  const region = Stack.of(role as unknown as IConstruct).region;
  grant(role, {
    sid: 'RetirementSchedules',
    actions: ['scheduler:GetSchedule', 'scheduler:CreateSchedule'],
    resources: [
      `arn:aws:scheduler:${region}:${account}:schedule/${schedules.group}/${retirementSchedulePrefix(plan.app)}*`,
    ],
    reason:
      "One schedule per failback episode, named <app>-retire-<episode> at run time; only this app's, in the stack's schedule group.",
  });
  grant(role, {
    sid: 'PassRetirementSchedulerRole',
    actions: ['iam:PassRole'],
    resources: [schedules.schedulerRole.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
  });
}

/**
 * The readOnly write freeze: copy the recovery databases' parameter groups into Pendulum's frozen
 * groups (any source group: the database's own, which the plan does not name), change only those
 * copies, give them to the recovery databases and reboot those to apply them.
 */
export function allowFreezeWrites(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const region = plan.recoveryRegion;
  const frozen = arns.rds(region, 'pg', `${frozenParameterGroupPrefix(plan.app)}*`);
  allowRdsDescribe(role, [region], ['db']);
  grant(role, {
    sid: 'CopyOwnParameterGroups',
    actions: ['rds:CopyDBParameterGroup'],
    resources: [arns.rds(region, 'pg', '*')],
    reason:
      "The source is the recovery database's own parameter group, whatever its name; the copy can only be one of Pendulum's frozen groups (next statement).",
  });
  grant(role, {
    sid: 'MakeFrozenParameterGroups',
    actions: ['rds:CopyDBParameterGroup', 'rds:ModifyDBParameterGroup', 'rds:AddTagsToResource'],
    resources: [frozen],
    reason: 'Frozen parameter groups are named by Pendulum; the suffix is the failback episode and database.',
  });
  grant(role, {
    sid: 'FreezeRecoveryDatabases',
    actions: ['rds:ModifyDBInstance', 'rds:RebootDBInstance'],
    resources: [...recoveryDatabases(plan, arns), frozen],
    reason: 'Only the recovery databases Pendulum restored or promoted, and only to a frozen group.',
  });
}

/** Undoing the freeze: the recovery databases get their own groups back; the frozen copies go. */
export function allowUnfreezeWrites(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const region = plan.recoveryRegion;
  allowRdsDescribe(role, [region], ['db']);
  grant(role, {
    sid: 'UnfreezeRecoveryDatabases',
    actions: ['rds:ModifyDBInstance', 'rds:RebootDBInstance'],
    resources: [...recoveryDatabases(plan, arns), arns.rds(region, 'pg', '*')],
    reason:
      "The group given back is the database's own, which the plan does not name; the databases are only those Pendulum restored or promoted.",
  });
  grant(role, {
    sid: 'DeleteFrozenParameterGroups',
    actions: ['rds:DeleteDBParameterGroup'],
    resources: [arns.rds(region, 'pg', `${frozenParameterGroupPrefix(plan.app)}*`)],
    reason: 'Only the frozen parameter groups Pendulum made, by their name prefix.',
  });
}
