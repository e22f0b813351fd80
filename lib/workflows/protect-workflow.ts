import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { protectRunSeconds } from '../../lambdas/recovery-points/protection-run';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotPrefix } from '../../lambdas/recovery-points/recovery-point-names';
import { allowClusterProtection, allowReverseClusterProtection } from '../iam/cluster-protection-grants';
import { allowEc2Describe, allowRdsDescribe } from '../iam/failover-grants';
import { arnsFor, grant } from '../iam/grant';
import { allowAwsManagedKeyLookup, allowPlanKeys } from '../iam/kms-grants';
import { planAuroraClusters, planDatabases, planInstances } from '../iam/plan-resources';
import { allowProtectPreflight } from '../iam/preflight-grants';
import { allowReverseProtection } from '../iam/reverse-protection-grants';
import { allowArtifacts } from '../iam/shared-grants';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import type { TaskFunction } from '../task-function';
import { WorkflowStateMachine } from '../workflow-state-machine';
import { taskFactory } from './workflow-parts';

export interface ProtectWorkflowProps {
  readonly core: PendulumCore;
}

/**
 * Makes recovery points: for each tier of the plan in order (or only the tiers given as
 * `{ "tiers": [...] }`), captures every source resource where production runs, copies the
 * captures into the other region and prunes old points. The lease decides which way from the
 * app's status: the primary estate into the recovery region, or, while failed over, the recovered
 * estate kept in the recovery region and copied to the primary (reverse protection); while a
 * failover or failback is moving production, the run is skipped. The execution name is the protection run: every
 * capture is keyed by it, so a retry or a re-run of the same execution makes nothing twice.
 *
 * One run per tier at a time: the run first takes a lease on its tiers in the state table (before
 * any write to AWS) and is skipped when another run holds one; the lease is given back on every
 * way out (a Parallel as try/catch) and expires with the run's cap. Copies are polled in an
 * explicit loop (Wait, check, Choice) with a bounded backoff, up to `protection.copyCap`: history
 * grows with polls, never with resources.
 */
export class ProtectWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly task: TaskFunction;

  constructor(scope: Construct, id: string, props: ProtectWorkflowProps) {
    super(scope, id);
    const { core } = props;
    const { plan } = core;
    const task = taskFactory(this, core);

    this.task = core.newTask(this, 'ProtectTierFunction', {
      handlerModule: 'lambdas/handlers/protect-tier.ts',
    });
    new ProtectPermissions(this, 'Permissions', { plan, role: this.task.role });
    allowReverseProtection(this.task.role, plan);
    allowClusterProtection(this.task.role, plan);
    allowReverseClusterProtection(this.task.role, plan);
    allowProtectPreflight(this.task.role, plan);
    // Reverse protection reads the failover outcome's inventory (what runs in the recovery region).
    allowArtifacts(this.task.role, core.bucket, ['GetObject']);

    const tierRun = {
      'tier.$': '$.tier',
      'protectRun.$': '$.protectRun',
      'startedAt.$': '$.startedAt',
      'active.$': '$.active',
    };
    const protectTier = lambdaTask(this, 'ProtectTier', this.task, {
      comment: 'Captures, copies and prunes one tier as far as it can now; says whether it is done.',
      payload: sfn.TaskInput.fromObject(tierRun),
      resultPath: '$.progress',
    });
    const checkTier = lambdaTask(this, 'CheckTierProtection', this.task, {
      comment:
        'Moves the pending captures on; fails with CopyCapExceededError, naming them, past protection.copyCap.',
      payload: sfn.TaskInput.fromObject({ ...tierRun, 'polledSince.$': '$.progress.polledSince' }),
      resultPath: '$.progress',
    });
    // Images and copies take minutes to hours: the task says when to ask again (30 s growing to 5 min).
    const waitForCopies = new sfn.Wait(this, 'WaitForCopies', {
      time: sfn.WaitTime.secondsPath('$.progress.nextPollSeconds'),
    });
    const tierProtected = new sfn.Choice(this, 'TierProtected?')
      .when(
        sfn.Condition.booleanEquals('$.progress.done', true),
        new sfn.Succeed(this, 'TierDone', { outputPath: '$.progress' }),
      )
      .otherwise(waitForCopies);
    waitForCopies.next(checkTier).next(tierProtected);

    const protectTiers = new sfn.Map(this, 'ProtectTiers', {
      comment: 'One tier at a time, in plan order: the data before the servers that need it.',
      itemsPath: '$.tiers',
      maxConcurrency: 1,
      itemSelector: {
        'tier.$': '$$.Map.Item.Value',
        'protectRun.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
        // Which way to protect, decided once by the lease from the app's status.
        'active.$': '$.lease.active',
      },
      resultPath: '$.results',
    });
    protectTiers.itemProcessor(protectTier.next(tierProtected));

    const leaseRun = { 'tiers.$': '$.tiers', 'protectRun.$': '$$.Execution.Name' };
    const takeLease = lambdaTask(
      this,
      'TakeProtectLease',
      task('TakeProtectLease', 'take-protect-lease', () => {}),
      {
        comment: 'Takes the lease of every tier of the run, or none when another run holds one.',
        payload: sfn.TaskInput.fromObject({ ...leaseRun, 'startedAt.$': '$$.Execution.StartTime' }),
        resultPath: '$.lease',
      },
    );
    const releaseFn = task('ReleaseProtectLease', 'release-protect-lease', () => {});
    const release = lambdaTask(this, 'ReleaseProtectLease', releaseFn, {
      payload: sfn.TaskInput.fromObject(leaseRun),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const releaseAfterFailure = lambdaTask(this, 'ReleaseProtectLeaseAfterFailure', releaseFn, {
      payload: sfn.TaskInput.fromObject(leaseRun),
      resultPath: sfn.JsonPath.DISCARD,
    });
    const failed = new sfn.Fail(this, 'ProtectFailed', {
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });

    // Parallel as try/catch: the lease is given back whatever happens to the tiers.
    const protect = new sfn.Parallel(this, 'Protect', {
      resultSelector: { 'results.$': '$[0].results' },
      resultPath: '$.protection',
    });
    protect.branch(protectTiers);
    protect.addCatch(releaseAfterFailure.next(failed), { errors: ['States.ALL'], resultPath: '$.failure' });
    const summary = new sfn.Pass(this, 'Protected', {
      parameters: { 'tiers.$': '$.tiers', 'results.$': '$.protection.results' },
    });
    const skipped = new sfn.Succeed(this, 'Skipped', {
      comment:
        'Another run of one of the tiers is still in progress: nothing was written but the skip record.',
      outputPath: '$.lease',
    });
    const leased = takeLease.next(
      new sfn.Choice(this, 'LeaseTaken?')
        .when(sfn.Condition.booleanEquals('$.lease.taken', true), protect.next(release).next(summary))
        .otherwise(skipped),
    );

    const listTiers = new sfn.Pass(this, 'ListTiers', {
      comment: "The plan's tiers, in order, as embedded at synth time.",
      result: sfn.Result.fromObject({ tiers: plan.tiers.map((t) => t.name) }),
    });
    const requestedTiers = new sfn.Pass(this, 'RequestedTiers', {
      parameters: { 'tiers.$': '$.tiers' },
    });
    const definition = new sfn.Choice(this, 'TiersGiven', {
      comment: 'Input `{ "tiers": ["data"] }` protects only those tiers; anything else protects all.',
    })
      .when(sfn.Condition.isPresent('$.tiers'), requestedTiers.next(leased))
      .otherwise(listTiers.next(leased));

    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: core.name('protect'),
      definition,
      // Stopped when its lease expires: the cap, then a last poll, pruning and the release.
      timeout: Duration.seconds(protectRunSeconds(plan)),
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

    // Snapshots: which key an image's snapshots are under (DescribeImages does not say).
    allowEc2Describe(role, regions, ['ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeSnapshots']);
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
    // The plan's keys: a forward copy reads under the primary's key and writes under the recovery
    // region's; reverse protection (the same task, after a failover) the other way round.
    // Aurora cluster snapshots are copied under the same RDS keys as DB snapshots.
    const dbKeys =
      snapshotted.length + planAuroraClusters(plan).length > 0 ? (['rdsSource', 'rdsTarget'] as const) : [];
    const imageKeys = ids.length + tags.length > 0 ? (['ebsSource', 'ebsTarget'] as const) : [];
    for (const region of regions) allowPlanKeys(role, plan, region, ['describe', ...dbKeys, ...imageKeys]);
    if (dbKeys.length + imageKeys.length > 0) allowAwsManagedKeyLookup(role, regions);
  }
}
