import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotPrefix } from '../../lambdas/recovery-points/recovery-point-names';
import { TASK_ERROR_NAMES as E } from '../../lambdas/runtime/task-errors';
import { acknowledge } from '../acknowledge';
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
 * What the protect task may do, and nothing more: image its own instances and snapshot its own
 * databases in the primary region, copy them to the recovery region, tag them with the app's tags,
 * and delete only images and snapshots that carry the app's tag (or, for DB snapshots, its name prefix).
 */
class ProtectPermissions extends Construct {
  constructor(scope: Construct, id: string, props: ProtectPermissionsProps) {
    super(scope, id);
    const { plan } = props;
    const stack = Stack.of(this);
    const { partition, account } = stack;
    const primary = plan.primaryRegion;
    const regions = [plan.primaryRegion, plan.recoveryRegion];
    const ec2 = (region: string, resource: string, withAccount = true) =>
      `arn:${partition}:ec2:${region}:${withAccount ? account : ''}:${resource}`;
    const rds = (region: string, resource: string) => `arn:${partition}:rds:${region}:${account}:${resource}`;
    const images = regions.map((r) => ec2(r, 'image/*', false));
    const snapshots = regions.map((r) => ec2(r, 'snapshot/*', false));
    const appTag = { [`aws:ResourceTag/${TAG.app}`]: plan.app };
    const prefix = dbSnapshotPrefix(plan.app);
    const dbSnapshots = regions.map((r) => rds(r, `snapshot:${prefix}*`));

    const ec2Resources = plan.tiers.flatMap((t) => t.resources.flatMap((r) => ('ec2' in r ? [r.ec2] : [])));
    const instanceIds = ec2Resources.flatMap((r) => r.ids ?? []);
    const instanceTags = ec2Resources.flatMap((r) => (r.tag ? [r.tag] : []));
    const snapshotDbs = plan.tiers.flatMap((t) =>
      t.resources.flatMap((r) => ('rds' in r && !r.rds.replicaIdentifier ? [r.rds.identifier] : [])),
    );
    const allDbs = plan.tiers.flatMap((t) =>
      t.resources.flatMap((r) => ('rds' in r ? [r.rds.identifier] : [])),
    );

    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        sid: 'DescribeInPlanRegions',
        actions: ['ec2:DescribeImages', 'ec2:DescribeInstances'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': regions } },
      }),
      new iam.PolicyStatement({
        sid: 'CopyImages',
        actions: ['ec2:CopyImage'],
        resources: images,
      }),
      new iam.PolicyStatement({
        sid: 'TagWithAppTagsOnly',
        actions: ['ec2:CreateTags'],
        resources: [...images, ...snapshots],
        conditions: {
          StringEquals: { [`aws:RequestTag/${TAG.app}`]: plan.app },
          'ForAllValues:StringLike': { 'aws:TagKeys': ['pendulum:*'] },
        },
      }),
      new iam.PolicyStatement({
        sid: 'DeleteAppImagesOnly',
        actions: ['ec2:DeregisterImage'],
        resources: images,
        conditions: { StringEquals: appTag },
      }),
      new iam.PolicyStatement({
        sid: 'DeleteAppSnapshotsOnly',
        actions: ['ec2:DeleteSnapshot'],
        resources: snapshots,
        conditions: { StringEquals: appTag },
      }),
    ];
    if (instanceIds.length > 0 || instanceTags.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ImageNewImagesAndSnapshots',
          actions: ['ec2:CreateImage'],
          resources: [ec2(primary, 'image/*', false), ec2(primary, 'snapshot/*', false)],
        }),
      );
    }
    if (instanceIds.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'ImagePlanInstances',
          actions: ['ec2:CreateImage'],
          resources: instanceIds.map((i) => ec2(primary, `instance/${i}`)),
        }),
      );
    }
    instanceTags.forEach((tag, index) => {
      statements.push(
        new iam.PolicyStatement({
          sid: `ImageTaggedInstances${index}`,
          actions: ['ec2:CreateImage'],
          resources: [ec2(primary, 'instance/*')],
          conditions: { StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
        }),
      );
    });
    if (allDbs.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DescribePlanDatabases',
          actions: ['rds:DescribeDBInstances'],
          resources: allDbs.map((d) => rds(primary, `db:${d}`)),
        }),
      );
    }
    if (snapshotDbs.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'SnapshotPlanDatabases',
          actions: ['rds:CreateDBSnapshot'],
          resources: [
            ...snapshotDbs.map((d) => rds(primary, `db:${d}`)),
            rds(primary, `snapshot:${prefix}*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'CopyTagAndDeleteAppSnapshots',
          actions: ['rds:CopyDBSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBSnapshot'],
          resources: dbSnapshots,
        }),
        new iam.PolicyStatement({
          sid: 'DescribeSnapshotsInPlanRegions',
          actions: ['rds:DescribeDBSnapshots'],
          resources: regions.flatMap((r) => [rds(r, 'snapshot:*'), rds(r, 'db:*')]),
        }),
      );
    }

    const policy = new iam.Policy(this, 'Policy', { statements, roles: [props.role] });
    const ack = (arns: readonly string[], reason: string) => {
      for (const arn of arns)
        acknowledge(policy, {
          id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`,
          reason,
        });
    };
    ack(
      ['*'],
      'ec2:DescribeImages and ec2:DescribeInstances support no resource-level permissions; limited to the plan regions by aws:RequestedRegion.',
    );
    ack(
      images,
      'AMI ids are only known after CreateImage/CopyImage; copying is limited to the plan regions, and deregistering to images tagged with the app.',
    );
    ack(
      snapshots,
      'EBS snapshot ids are only known after the image is made; deleting is limited to snapshots tagged with the app, tagging to pendulum:* tags of this app.',
    );
    if (instanceTags.length > 0)
      ack(
        [ec2(primary, 'instance/*')],
        'The plan selects these instances by tag; CreateImage is allowed only on instances carrying that tag.',
      );
    if (snapshotDbs.length > 0) {
      ack(
        dbSnapshots,
        "Snapshot identifiers include their capture time; limited to the app's pendulum-<app>- identifier prefix in the plan regions.",
      );
      ack(
        regions.flatMap((r) => [rds(r, 'snapshot:*'), rds(r, 'db:*')]),
        "Listing snapshots to find this run's and this app's recovery points (filtered by tag in code); read-only, limited to the plan regions.",
      );
    }
  }
}

/** A resource as cdk-nag names it in a finding id: tokens become `<AWS::AccountId>`, `<Logical.Arn>`. */
function nagResource(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value)) return value;
  const resolved = Stack.of(scope).resolve(value) as unknown;
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const object = part as Record<string, unknown>;
    if (typeof object.Ref === 'string') return `<${object.Ref}>`;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
    const join = object['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map(render).join(join[0] as string);
    return JSON.stringify(part);
  };
  return render(resolved);
}
