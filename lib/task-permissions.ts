import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import type { Plan } from '../lambdas/plan/plan-schema';
import { TAG } from '../lambdas/recovery-points/recovery-point';
import { acknowledge } from './acknowledge';

/**
 * IAM statements for task roles, as narrow as each AWS API allows. Where an API has no
 * resource-level permissions (Describe*, List*), the `*` is acknowledged with that reason.
 */
const account = (scope: IConstruct) => Stack.of(scope).account;

/** cdk-nag names a finding by the resource as it appears in the template, tokens in <angle brackets>. */
function findingResource(scope: IConstruct, arn: string): string {
  const acct = account(scope);
  return Token.isUnresolved(acct) ? arn.replace(acct, '<AWS::AccountId>') : arn;
}

function acknowledgeResources(role: iam.IRole, arns: readonly string[], reason: string): void {
  const scope = role as unknown as IConstruct;
  for (const arn of arns) {
    acknowledge(role, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${findingResource(scope, arn)}]`,
      reason,
    });
  }
}

/** EC2 ARNs of one region and account, by resource type (`image` and `snapshot` images are account-less). */
function ec2Arns(region: string, acct: string, types: readonly string[]): string[] {
  return types.map((type) =>
    type === 'image' || type === 'ebs-snapshot'
      ? `arn:aws:ec2:${region}::${type === 'image' ? 'image' : 'snapshot'}/*`
      : `arn:aws:ec2:${region}:${acct}:${type}/*`,
  );
}

/** RDS ARNs a restore or replica touches in one region and account. */
function rdsArns(
  region: string,
  acct: string,
  kinds: readonly string[] = ['db', 'snapshot', 'subgrp', 'og', 'pg'],
): string[] {
  return kinds.map((kind) => `arn:aws:rds:${region}:${acct}:${kind}:*`);
}

/** Only resources tagged with this app. */
const taggedWithApp = (plan: Plan) => ({ StringEquals: { [`aws:ResourceTag/${TAG.app}`]: plan.app } });

const LAUNCH_TYPES = [
  'instance',
  'volume',
  'network-interface',
  'subnet',
  'security-group',
  'image',
] as const;

/**
 * Read and write of the artifact bucket's objects, without CDK's grantReadWrite wildcards.
 * ListBucket is needed so a missing key reads as NoSuchKey (how tasks detect a first attempt).
 */
export function allowArtifacts(role: iam.IRole, bucket: s3.IBucket): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  const logicalId = Stack.of(bucket).resolve(
    (bucket.node.defaultChild as unknown as { logicalId: string }).logicalId,
  );
  acknowledge(role, {
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
    reason:
      'Run documents are keyed by run id, unknown until the run starts; the grant is one bucket, get and put only.',
  });
}

const DESCRIBE_ONLY =
  'Describe/List/Get APIs of EC2, RDS, Route 53 and CloudWatch support no resource-level permissions.';

export function allowDescribe(role: iam.IRole, actions: string[]): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: ['*'] }));
  acknowledge(role, { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: DESCRIBE_ONLY });
}

/** Hosted zones the plan names by id, or every zone when a zone is found by name at run time. */
export function hostedZoneArns(plan: Plan): string[] {
  if (plan.dns.zones.length > 0 && plan.dns.zones.every((z) => z.id)) {
    return plan.dns.zones.map((z) => `arn:aws:route53:::hostedzone/${z.id}`);
  }
  return ['arn:aws:route53:::hostedzone/*'];
}

export function allowRoute53Read(role: iam.IRole, plan: Plan): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['route53:ListResourceRecordSets', 'route53:GetHostedZone'],
      resources: hostedZoneArns(plan),
    }),
  );
  allowDescribe(role, ['route53:ListHostedZonesByName', 'route53:ListHostedZones']);
  acknowledgeZoneWildcard(role, plan);
}

export function allowRoute53Change(role: iam.IRole, plan: Plan): void {
  allowRoute53Read(role, plan);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['route53:ChangeResourceRecordSets'],
      resources: hostedZoneArns(plan),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['route53:GetChange'], resources: ['arn:aws:route53:::change/*'] }),
  );
  acknowledge(role, {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:route53:::change/*]',
    reason: 'Route 53 change ids are only known after the change is made.',
  });
}

function acknowledgeZoneWildcard(role: iam.IRole, plan: Plan): void {
  if (hostedZoneArns(plan)[0]?.endsWith('/*')) {
    acknowledge(role, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:aws:route53:::hostedzone/*]',
      reason:
        'The plan names this zone by name; its id is looked up at run time. Add ids to the plan to narrow this.',
    });
  }
}

/** Launching instances from Pendulum's AMIs into the recovery region, tagging them as they launch. */
export function allowLaunchRecoveredInstances(role: iam.IRole, region: string): void {
  const scope = role as unknown as IConstruct;
  const acct = account(scope);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:RunInstances'],
      resources: ec2Arns(region, acct, LAUNCH_TYPES),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:CreateTags'],
      resources: ec2Arns(region, acct, ['instance', 'volume']),
      conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    }),
  );
  acknowledgeResources(
    role,
    ec2Arns(region, acct, LAUNCH_TYPES),
    'Instance, volume and interface ids do not exist before launch, and subnets and images are chosen at run time; limited to one region and account, tagging only at launch.',
  );
}

/** Restoring and promoting databases in one region; only ones tagged with the app may be changed. */
export function allowRecoverDatabases(role: iam.IRole, region: string, plan: Plan): void {
  const acct = account(role as unknown as IConstruct);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['rds:RestoreDBInstanceFromDBSnapshot', 'rds:AddTagsToResource'],
      resources: rdsArns(region, acct),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['rds:PromoteReadReplica'],
      resources: rdsArns(region, acct, ['db']),
      conditions: taggedWithApp(plan),
    }),
  );
  acknowledgeResources(
    role,
    rdsArns(region, acct),
    'Restored database names and the snapshots they come from are chosen at run time; limited to one region and account, and promotion to databases tagged with the app.',
  );
}

/** Publishing to the (KMS-encrypted) notification topic. */
export function allowPublish(role: iam.IRole, topic: sns.ITopic): void {
  topic.grantPublish(role);
  acknowledge(role, {
    id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'Publishing to a KMS-encrypted topic needs GenerateDataKey* on that one key (CDK grantPublish).',
  });
}

/**
 * What failback's resource tasks do in both regions: image, copy and launch instances; replicate,
 * snapshot, restore, promote and rename databases; retire the stale primary and the recovery
 * copies after their final snapshots. Limited to the plan's regions and this account; the stale
 * primary resources are the application's own and carry no Pendulum tag to condition on.
 */
export function allowFailbackResources(role: iam.IRole, regions: readonly string[], plan: Plan): void {
  const acct = account(role as unknown as IConstruct);
  allowDescribe(role, [
    'ec2:DescribeInstances',
    'ec2:DescribeImages',
    'ec2:DescribeSnapshots',
    'rds:DescribeDBInstances',
    'rds:DescribeDBSnapshots',
  ]);
  const ec2Resources = regions.flatMap((region) =>
    ec2Arns(region, acct, [
      'instance',
      'volume',
      'snapshot',
      'network-interface',
      'subnet',
      'security-group',
      'image',
      'ebs-snapshot',
    ]),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'ec2:CreateImage',
        'ec2:CopyImage',
        'ec2:RunInstances',
        'ec2:CreateTags',
        'ec2:TerminateInstances',
        'ec2:StopInstances',
        'ec2:DeregisterImage',
        'ec2:DeleteSnapshot',
        'ec2:ModifyInstanceAttribute',
      ],
      resources: ec2Resources,
    }),
  );
  const rdsResources = regions.flatMap((region) => rdsArns(region, acct));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'rds:CreateDBInstanceReadReplica',
        'rds:CreateDBSnapshot',
        'rds:CopyDBSnapshot',
        'rds:RestoreDBInstanceFromDBSnapshot',
        'rds:PromoteReadReplica',
        'rds:ModifyDBInstance',
        'rds:DeleteDBInstance',
        'rds:AddTagsToResource',
        'rds:DeleteDBSnapshot',
        'rds:StartDBInstance',
      ],
      resources: rdsResources,
    }),
  );
  // Instances come home with the instance profile of the one they replace.
  allowPassRoleToEc2(role);
  acknowledgeResources(
    role,
    [...ec2Resources, ...rdsResources],
    `Failback creates, renames and retires resources whose ids exist only at run time, in ${plan.app}'s two regions of this account; nothing is deleted before its final snapshot exists.`,
  );
}

/** Terminating and deleting only what a drill of this app made (tagged with the app). */
export function allowTearDownDrill(role: iam.IRole, region: string, plan: Plan): void {
  const acct = account(role as unknown as IConstruct);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['ec2:TerminateInstances'],
      resources: ec2Arns(region, acct, ['instance']),
      conditions: taggedWithApp(plan),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['rds:DeleteDBInstance'],
      resources: rdsArns(region, acct, ['db']),
      conditions: taggedWithApp(plan),
    }),
  );
  acknowledgeResources(
    role,
    [...ec2Arns(region, acct, ['instance']), ...rdsArns(region, acct, ['db'])],
    'Drill resources have run-time ids; deletion is limited to resources tagged with this app in the recovery region.',
  );
}

/**
 * Launching an instance with an instance profile passes its role to EC2: allowed for EC2 only.
 * Profiles are named in the plan (or copied from the instance replaced), their roles are not.
 */
export function allowPassRoleToEc2(role: iam.IRole): void {
  const roles = `arn:aws:iam::${account(role as unknown as IConstruct)}:role/*`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [roles],
      conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }),
  );
  acknowledgeResources(
    role,
    [roles],
    'The role behind an instance profile is not named in the plan; it may be passed to EC2 only.',
  );
}
