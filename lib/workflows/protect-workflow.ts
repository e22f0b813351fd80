import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotPrefix } from '../../lambdas/recovery-points/recovery-point-names';
import { TASK_ERROR_NAMES as E } from '../../lambdas/runtime/task-errors';
import { allowEc2Describe, allowRdsDescribe } from '../iam/failover-grants';
import { arnsFor, grant } from '../iam/grant';
import { planDatabases, planInstances } from '../iam/plan-resources';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import type { TaskFunction } from '../task-function';
import { WorkflowStateMachine } from '../workflow-state-machine';

export interface ProtectWorkflowProps {
  readonly core: PendulumCore;
}

/**
 * Makes recovery points: for each tier of the plan in order (or only the tiers given as
 * `{ "tiers": [...] }`), captures every source resource in the primary region, copies the captures
 * into the recovery region and prunes old points. The execution name is the protection run: every
 * capture is keyed by it, so a retry or a re-run of the same execution makes nothing twice.
 */
export class ProtectWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly task: TaskFunction;

  constructor(scope: Construct, id: string, props: ProtectWorkflowProps) {
    super(scope, id);
    const { core } = props;
    const { plan } = core;

    this.task = core.newTask(this, 'ProtectTierFunction', {
      handlerModule: 'lambdas/handlers/protect-tier.ts',
    });
    new ProtectPermissions(this, 'Permissions', { plan, role: this.task.role });

    const protectTier = lambdaTask(this, 'ProtectTier', this.task, {
      comment:
        'Captures, copies and prunes one tier; NotReadyError while images or snapshots are still being made.',
    });
    // Images and snapshot copies take minutes to hours; the task is asked again until they are done (~6 h).
    protectTier.addRetry({
      errors: [E.notReady],
      interval: Duration.minutes(1),
      backoffRate: 1.5,
      maxDelay: Duration.minutes(10),
      maxAttempts: 40,
      jitterStrategy: sfn.JitterType.FULL,
    });

    const protectTiers = new sfn.Map(this, 'ProtectTiers', {
      comment: 'One tier at a time, in plan order: the data before the servers that need it.',
      itemsPath: '$.tiers',
      maxConcurrency: 1,
      itemSelector: {
        'tier.$': '$$.Map.Item.Value',
        'protectRun.$': '$$.Execution.Name',
      },
      resultPath: '$.results',
    });
    protectTiers.itemProcessor(protectTier);

    const listTiers = new sfn.Pass(this, 'ListTiers', {
      comment: "The plan's tiers, in order, as embedded at synth time.",
      result: sfn.Result.fromObject({ tiers: plan.tiers.map((t) => t.name) }),
    });
    const requestedTiers = new sfn.Pass(this, 'RequestedTiers', {
      parameters: { 'tiers.$': '$.tiers' },
    });
    const protectedAll = new sfn.Succeed(this, 'Protected');
    const chain = protectTiers.next(protectedAll);
    const definition = new sfn.Choice(this, 'TiersGiven', {
      comment: 'Input `{ "tiers": ["data"] }` protects only those tiers; anything else protects all.',
    })
      .when(sfn.Condition.isPresent('$.tiers'), requestedTiers.next(chain))
      .otherwise(listTiers.next(chain));

    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: core.name('protect'),
      definition,
      comment: `Makes recovery points of ${plan.app} in ${plan.recoveryRegion}`,
    }).stateMachine;
  }
}

interface ProtectPermissionsProps {
  readonly plan: Plan;
  readonly role: iam.IRole;
}

/**
 * What the protect task may do, and nothing more: image the plan's instances and snapshot its
 * databases in the primary region, copy them to the recovery region tagged as they are made, and
 * delete only recovery points: images and snapshots by the tags they were made with (no role may
 * tag an existing one), DB snapshots by protect's own name prefix (never failback's or a final).
 */
class ProtectPermissions extends Construct {
  constructor(scope: Construct, id: string, props: ProtectPermissionsProps) {
    super(scope, id);
    const { plan, role } = props;
    const arns = arnsFor(role);
    const primary = plan.primaryRegion;
    const recovery = plan.recoveryRegion;
    const regions = [primary, recovery];
    const point = {
      [`aws:ResourceTag/${TAG.app}`]: plan.app,
      [`aws:ResourceTag/${TAG.kind}`]: 'recovery-point',
    };
    const newPoint = {
      [`aws:RequestTag/${TAG.app}`]: plan.app,
      [`aws:RequestTag/${TAG.kind}`]: 'recovery-point',
    };
    const { ids, tags } = planInstances(plan);
    const { identifiers, snapshotted, replicas } = planDatabases(plan);
    const pointSnapshots = regions.map((r) => arns.rds(r, 'snapshot', `${dbSnapshotPrefix(plan.app)}*`));

    allowEc2Describe(role, regions, ['ec2:DescribeImages', 'ec2:DescribeInstances']);
    if (ids.length > 0 || tags.length > 0) {
      grant(role, {
        sid: 'MakeRecoveryPointImages',
        actions: ['ec2:CreateImage'],
        resources: [arns.ec2(primary, 'image'), arns.ec2(primary, 'snapshot')],
        conditions: { StringEquals: newPoint },
        reason:
          'AMI and snapshot ids exist only once made; each must be tagged as a recovery point of the app as it is made.',
      });
      if (ids.length > 0)
        grant(role, {
          sid: 'ImagePlanInstances',
          actions: ['ec2:CreateImage'],
          resources: ids.map((i) => arns.ec2(primary, 'instance', i)),
        });
      tags.forEach((tag, index) => {
        grant(role, {
          sid: `ImageTaggedInstances${index}`,
          actions: ['ec2:CreateImage'],
          resources: [arns.ec2(primary, 'instance')],
          conditions: { StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
          reason: `The plan selects these instances by the tag ${tag.key}=${tag.value}; CreateImage only on instances carrying it.`,
        });
      });
    }
    grant(role, {
      sid: 'CopyRecoveryPoints',
      actions: ['ec2:CopyImage'],
      resources: [arns.ec2(primary, 'image')],
      conditions: { StringEquals: point },
      reason: "Only the app's recovery points are copied (by the tags they were made with).",
    });
    grant(role, {
      sid: 'MakeRecoveryPointCopies',
      actions: ['ec2:CopyImage'],
      resources: [arns.ec2(recovery, 'image'), arns.ec2(recovery, 'snapshot')],
      conditions: { StringEquals: newPoint },
      reason:
        'Copies and their snapshots have ids only once made; each must be tagged as a recovery point as it is made.',
    });
    grant(role, {
      sid: 'TagOnCreateOnly',
      actions: ['ec2:CreateTags'],
      resources: regions.flatMap((r) => [arns.ec2(r, 'image'), arns.ec2(r, 'snapshot')]),
      conditions: { StringEquals: { 'ec2:CreateAction': ['CreateImage', 'CopyImage'] } },
      reason:
        'Tags are applied only by the action that makes the image (ec2:CreateAction); no existing image can be tagged.',
    });
    grant(role, {
      sid: 'PruneRecoveryPoints',
      actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
      resources: regions.flatMap((r) => [arns.ec2(r, 'image'), arns.ec2(r, 'snapshot')]),
      conditions: { StringEquals: point },
      reason: "Only the app's recovery points and their snapshots, by the tags they were made with.",
    });
    if (identifiers.length > 0)
      grant(role, {
        sid: 'DescribePlanDatabases',
        actions: ['rds:DescribeDBInstances'],
        resources: [
          ...identifiers.map((d) => arns.rds(primary, 'db', d)),
          ...replicas.map((d) => arns.rds(recovery, 'db', d)),
        ],
      });
    if (snapshotted.length > 0) {
      grant(role, {
        sid: 'SnapshotPlanDatabases',
        actions: ['rds:CreateDBSnapshot'],
        resources: [...snapshotted.map((d) => arns.rds(primary, 'db', d)), pointSnapshots[0] as string],
        reason:
          "Snapshot identifiers include their capture time; limited to protect's pendulum-<app>-rp- prefix.",
      });
      grant(role, {
        sid: 'CopyTagAndPruneDbPoints',
        actions: ['rds:CopyDBSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBSnapshot'],
        resources: pointSnapshots,
        reason:
          "Only protect's own snapshots (pendulum-<app>-rp-), never failback's sync or final snapshots.",
      });
    }
    // Points are listed for every database, replica-protected ones included.
    if (identifiers.length > 0) allowRdsDescribe(role, regions, ['snapshot']);
  }
}
