/**
 * What the protect task may do while the app runs in the recovery region (reverse protection), and
 * nothing more: image the recovered instances (the app's tag, or the plan's tag selectors) and
 * snapshot the recovered databases in the recovery region, copy those points to the primary
 * region, each tagged `pendulum:kind=reverse-point` as it is made, and delete only reverse points
 * (images and EBS snapshots by those tags, DB snapshots by the `pendulum-<app>-rv-` prefix). The
 * stale primary's instances and databases are never named: nothing here can image or snapshot them.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import { episodeDbIdentifierPattern } from '../../lambdas/failover/rds-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { REVERSE_POINT_KIND, TAG } from '../../lambdas/recovery-points/recovery-point';
import { reverseDbSnapshotPrefix } from '../../lambdas/recovery-points/recovery-point-names';
import { allowRdsDescribe } from './failover-grants';
import { arnsFor, grant } from './grant';
import { planDatabases, planInstances } from './plan-resources';

export function allowReverseProtection(role: iam.IRole, plan: Plan): void {
  const arns = arnsFor(role);
  const primary = plan.primaryRegion;
  const recovery = plan.recoveryRegion;
  const regions = [recovery, primary];
  const point = {
    [`aws:ResourceTag/${TAG.app}`]: plan.app,
    [`aws:ResourceTag/${TAG.kind}`]: REVERSE_POINT_KIND,
  };
  const newPoint = {
    [`aws:RequestTag/${TAG.app}`]: plan.app,
    [`aws:RequestTag/${TAG.kind}`]: REVERSE_POINT_KIND,
  };
  const { ids, tags } = planInstances(plan);
  const { identifiers, snapshotted, replicas } = planDatabases(plan);

  if (ids.length > 0 || tags.length > 0) {
    grant(role, {
      sid: 'MakeReversePointImages',
      actions: ['ec2:CreateImage'],
      resources: [arns.ec2(recovery, 'image'), arns.ec2(recovery, 'snapshot')],
      conditions: { StringEquals: newPoint },
      reason:
        'AMI and snapshot ids exist only once made; each must be tagged as a reverse point of the app as it is made.',
    });
    grant(role, {
      sid: 'ImageRecoveredInstances',
      actions: ['ec2:CreateImage'],
      resources: [arns.ec2(recovery, 'instance')],
      conditions: { StringEquals: { [`aws:ResourceTag/${TAG.app}`]: plan.app } },
      reason: `Instance ids of the recovered estate are known only after the failover; only instances failover tagged ${TAG.app}=${plan.app}, in the recovery region.`,
    });
    tags.forEach((tag, index) => {
      grant(role, {
        sid: `ImageTaggedRecoveryInstances${index}`,
        actions: ['ec2:CreateImage'],
        resources: [arns.ec2(recovery, 'instance')],
        conditions: { StringEquals: { [`aws:ResourceTag/${tag.key}`]: tag.value } },
        reason: `Instances added to the role during the failover carry the plan's tag ${tag.key}=${tag.value}; in the recovery region only.`,
      });
    });
  }
  grant(role, {
    sid: 'CopyReversePoints',
    actions: ['ec2:CopyImage'],
    resources: [arns.ec2(recovery, 'image')],
    conditions: { StringEquals: point },
    reason: "Only the app's reverse points are copied (by the tags they were made with).",
  });
  grant(role, {
    sid: 'MakeReversePointCopies',
    actions: ['ec2:CopyImage'],
    resources: [arns.ec2(primary, 'image'), arns.ec2(primary, 'snapshot')],
    conditions: { StringEquals: newPoint },
    reason: 'Copies have ids only once made; each must be tagged as a reverse point as it is made.',
  });
  grant(role, {
    sid: 'PruneReversePoints',
    actions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
    resources: regions.flatMap((r) => [arns.ec2(r, 'image'), arns.ec2(r, 'snapshot')]),
    conditions: { StringEquals: point },
    reason: "Only the app's reverse points and their snapshots, by the tags they were made with.",
  });

  if (identifiers.length === 0) return;
  // The recovered databases: restored ones are `<identifier>-pf-<episode>`, promoted replicas keep
  // the replica's identifier.
  const recovered = [
    ...snapshotted.map((d) => arns.rds(recovery, 'db', episodeDbIdentifierPattern(d))),
    ...replicas.map((d) => arns.rds(recovery, 'db', d)),
  ];
  const reverseSnapshots = regions.map((r) =>
    arns.rds(r, 'snapshot', `${reverseDbSnapshotPrefix(plan.app)}*`),
  );
  // Finding the recovered databases is one filtered describe, authorized on every database.
  allowRdsDescribe(role, [recovery], ['db']);
  grant(role, {
    sid: 'SnapshotRecoveredDatabases',
    actions: ['rds:CreateDBSnapshot'],
    resources: [...recovered, reverseSnapshots[0] as string],
    reason:
      "Recovered identifiers carry the failover episode; snapshots are limited to protect's pendulum-<app>-rv- prefix.",
  });
  grant(role, {
    sid: 'CopyTagAndPruneReverseDbPoints',
    actions: ['rds:CopyDBSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBSnapshot'],
    resources: reverseSnapshots,
    reason: "Only protect's own reverse snapshots (pendulum-<app>-rv-), never failback's or a final one.",
  });
}
