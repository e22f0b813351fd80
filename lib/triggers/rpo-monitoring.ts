import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { durationSeconds } from '../../lambdas/plan/duration';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { DR_DIMENSIONS, DR_METRICS } from '../../lambdas/rpo/dr-metric-names';
import { acknowledge } from '../acknowledge';
import { planGlobalMembers } from '../iam/global-cluster-grants';
import { planAuroraClusters } from '../iam/plan-resources';
import { allowStateTable } from '../iam/shared-grants';
import type { PendulumCore } from '../pendulum-core';
import type { TaskFunction } from '../task-function';
import { nagResource } from './nag-resource';
import { SchedulerRole } from './scheduler-role';

export interface RpoMonitoringProps {
  readonly core: PendulumCore;
  /**
   * How often recovery point ages are measured and published.
   * @default Duration.minutes(5)
   */
  readonly every?: Duration;
  /**
   * Consecutive periods (of `every`) a tier must be over its RPO, or silent, before its alarm fires.
   * Two tolerate one skipped or late measurement.
   * @default 2
   */
  readonly evaluationPeriods?: number;
  /**
   * The group the schedule belongs to.
   * @default the account's `default` schedule group
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;
}

/** A tier's `RecoveryPointAgeSeconds` (Maximum), as publish-rpo-age publishes it. */
export function recoveryPointAgeMetric(plan: Plan, tier: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: DR_METRICS.namespace,
    metricName: DR_METRICS.recoveryPointAge,
    dimensionsMap: { [DR_DIMENSIONS.app]: plan.app, [DR_DIMENSIONS.tier]: tier },
    statistic: cloudwatch.Stats.MAXIMUM,
    period,
  });
}

/** A tier's `ResourcesWithoutRecoveryPoint` (Maximum). */
export function resourcesWithoutPointMetric(plan: Plan, tier: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: DR_METRICS.namespace,
    metricName: DR_METRICS.resourcesWithoutRecoveryPoint,
    dimensionsMap: { [DR_DIMENSIONS.app]: plan.app, [DR_DIMENSIONS.tier]: tier },
    statistic: cloudwatch.Stats.MAXIMUM,
    period,
  });
}

/**
 * RPO monitoring: the publish-rpo-age task runs on a schedule and publishes each tier's
 * `RecoveryPointAgeSeconds`; one alarm per tier fires (to the notification topic) when that age
 * exceeds the tier's RPO, or when the metric stops arriving (missing data is breaching), so a
 * broken monitor cannot look like a healthy one.
 *
 * The alarms follow the active region without a region dimension: the task measures whichever
 * points protect production now (forward ones, or the reverse ones while failed over) and
 * publishes them under the same App and Tier. A region dimension would split each tier into two
 * metrics, one of which always goes silent: with missing data breaching, the silent one alarms for
 * the whole failover (the noise this avoids); with it not breaching, a broken monitor looks healthy.
 * Which direction and region were measured is in the task's result and logs.
 */
export class RpoMonitoring extends Construct {
  readonly task: TaskFunction;
  readonly schedule: scheduler.Schedule;
  /** Tier name → its RPO alarm. */
  readonly alarms: Record<string, cloudwatch.Alarm> = {};
  readonly period: Duration;

  constructor(scope: Construct, id: string, props: RpoMonitoringProps) {
    super(scope, id);
    const { core } = props;
    const { plan } = core;
    this.period = props.every ?? Duration.minutes(5);
    const evaluationPeriods = props.evaluationPeriods ?? 2;

    this.task = core.newTask(this, 'PublishRpoAgeFunction', {
      handlerModule: 'lambdas/handlers/publish-rpo-age.ts',
      timeout: Duration.minutes(2),
    });
    allowListRecoveryPoints(this, this.task.role, plan);
    // The app's status says which points to measure (forward, or reverse while failed over).
    allowStateTable(this.task.role, core.table, ['GetItem']);

    const role = new SchedulerRole(this, 'Role', {
      description: `Runs pendulum-${plan.app}'s RPO age measurement`,
    }).role;
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Pendulum ${plan.app}: publish recovery point ages`,
      schedule: scheduler.ScheduleExpression.rate(this.period),
      scheduleGroup: props.scheduleGroup,
      target: new targets.LambdaInvoke(this.task.function, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        // A late measurement is worth nothing once the next one is due.
        maxEventAge: Duration.seconds(Math.max(60, this.period.toSeconds())),
        retryAttempts: 2,
      }),
    });
    const functionId = Stack.of(this).resolve(
      (this.task.function.node.defaultChild as lambda.CfnFunction).logicalId,
    ) as string;
    acknowledge(role, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason: 'Scheduler may invoke any version or alias of the RPO measurement function; nothing else.',
    });

    allowAlarmsToNotify(this, core.topic);
    const notify = new cwActions.SnsAction(core.topic);
    for (const tier of plan.tiers) {
      const rpoSeconds = durationSeconds(tier.rpo);
      const alarm = new cloudwatch.Alarm(this, `Tier-${tier.name}`, {
        alarmName: `${core.name('rpo')}-${tier.name}`,
        alarmDescription: `Pendulum ${plan.app}: tier ${tier.name}'s oldest newest recovery point is older than its RPO of ${tier.rpo} (${rpoSeconds}s), a resource has none, or ages are no longer being measured.`,
        metric: recoveryPointAgeMetric(plan, tier.name, this.period),
        threshold: rpoSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms[tier.name] = alarm;
    }
  }
}

/**
 * Read-only listing of the app's recovery points in the recovery region, and of its reverse points
 * in the primary region while failed over (see publish-rpo-age).
 */
function allowListRecoveryPoints(scope: Construct, role: iam.IRole, plan: Plan): void {
  const stack = Stack.of(scope);
  const region = plan.recoveryRegion;
  const rdsIn = (where: string, resource: string) =>
    `arn:${stack.partition}:rds:${where}:${stack.account}:${resource}`;
  const rds = (resource: string) => rdsIn(region, resource);
  const snapshotReads = [region, plan.primaryRegion].flatMap((r) => [
    rdsIn(r, 'snapshot:*'),
    rdsIn(r, 'db:*'),
  ]);
  const replicas = plan.tiers.flatMap((t) =>
    t.resources.flatMap((r) => ('rds' in r && r.rds.replicaIdentifier ? [r.rds.replicaIdentifier] : [])),
  );
  const statements = [
    new iam.PolicyStatement({
      sid: 'DescribeImagesInBothRegions',
      actions: ['ec2:DescribeImages'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': [region, plan.primaryRegion] } },
    }),
    new iam.PolicyStatement({
      sid: 'DescribeSnapshotsInBothRegions',
      actions: ['rds:DescribeDBSnapshots'],
      resources: snapshotReads,
    }),
  ];
  // Cluster snapshot points are listed only when the plan names a cluster (see publish-rpo-age).
  const clusterSnapshotReads =
    planAuroraClusters(plan).length > 0
      ? [region, plan.primaryRegion].map((r) => rdsIn(r, 'cluster-snapshot:*'))
      : [];
  if (clusterSnapshotReads.length > 0)
    statements.push(
      new iam.PolicyStatement({
        sid: 'DescribeClusterSnapshotsInBothRegions',
        actions: ['rds:DescribeDBClusterSnapshots'],
        resources: clusterSnapshotReads,
      }),
    );
  if (replicas.length > 0)
    statements.push(
      new iam.PolicyStatement({
        sid: 'DescribeReplicas',
        actions: ['rds:DescribeDBInstances'],
        resources: replicas.map((id) => rds(`db:${id}`)),
      }),
    );
  // A global database member is protected by replication: whether it has a member where the copies
  // belong (see publish-rpo-age).
  const globals = planGlobalMembers(plan);
  if (globals.length > 0)
    statements.push(
      new iam.PolicyStatement({
        sid: 'DescribePlanGlobalDatabases',
        actions: ['rds:DescribeGlobalClusters'],
        resources: globals.map(
          (g) => `arn:${stack.partition}:rds::${stack.account}:global-cluster:${g.global}`,
        ),
      }),
    );
  const policy = new iam.Policy(scope, 'ListRecoveryPoints', { statements, roles: [role] });
  acknowledge(policy, {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      "ec2:DescribeImages supports no resource-level permissions; limited to the plan's two regions by aws:RequestedRegion.",
  });
  for (const arn of [...snapshotReads, ...clusterSnapshotReads])
    acknowledge(policy, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(policy, arn)}]`,
      reason:
        "Listing snapshots to find the app's recovery points (filtered by tag in code); read-only, in the plan's two regions.",
    });
}

/**
 * CloudWatch alarms publish to the notification topic as the CloudWatch service: a topic encrypted
 * with a customer managed key must let CloudWatch use that key. Nothing to do for an imported topic.
 */
function allowAlarmsToNotify(scope: Construct, topic: sns.ITopic): void {
  if (!(topic instanceof sns.Topic) || !topic.masterKey) return;
  topic.masterKey.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
}
