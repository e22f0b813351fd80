/**
 * Grants every kind of task needs: the state table, the artifact bucket, the notification topic,
 * Route 53 reads and writes limited to the plan's records, and CloudWatch alarm reads.
 */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { normaliseDnsName } from '../../lambdas/dns/dns-name';
import { drillRecordName } from '../../lambdas/failover/drill-names';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { acknowledge } from '../acknowledge';
import { arnsFor, grant } from './grant';
import type { StorageNeeds } from './storage-needs';

/** The state table's item operations a task makes (see storage-needs.ts); no scans, batches or streams. */
export function allowStateTable(
  role: iam.IRole,
  table: dynamodb.ITableV2 | dynamodb.ITable,
  actions: StorageNeeds['table'],
): void {
  if (actions.length === 0) return;
  grant(role, {
    sid: 'StateTable',
    actions: actions.map((a) => `dynamodb:${a}`),
    resources: [table.tableArn],
  });
}

/**
 * Reads and writes of the artifact bucket's objects a task makes. ListBucket lets a missing key read
 * as NoSuchKey (how tasks detect a first attempt) instead of AccessDenied.
 */
export function allowArtifacts(role: iam.IRole, bucket: s3.IBucket, actions: StorageNeeds['bucket']): void {
  const objects = actions.filter((a) => a !== 'ListBucket');
  if (objects.length > 0)
    grant(role, {
      sid: 'RunDocuments',
      actions: objects.map((a) => `s3:${a}`),
      resources: [bucket.arnForObjects('*')],
      reason: 'Run documents are keyed by run id, unknown until the run starts; one bucket.',
    });
  if (actions.includes('ListBucket'))
    grant(role, { sid: 'RunDocumentsList', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] });
}

/** Publishing to the KMS-encrypted notification topic (SNS uses the key as the caller). */
export function allowPublish(role: iam.IRole, topic: sns.ITopic): void {
  topic.grantPublish(role);
  acknowledge(role, {
    id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'Publishing to a KMS-encrypted topic needs GenerateDataKey* on that one key (CDK grantPublish).',
  });
}

/** Hosted zones the plan names by id, or every zone when a zone is found by name at run time. */
export function hostedZoneArns(plan: Plan): string[] {
  if (plan.dns.zones.length > 0 && plan.dns.zones.every((z) => z.id)) {
    return plan.dns.zones.map((z) => `arn:aws:route53:::hostedzone/${z.id}`);
  }
  return ['arn:aws:route53:::hostedzone/*'];
}

const ZONE_BY_NAME =
  'The plan names this zone by name; its id is looked up at run time. Add ids to the plan to narrow this.';

export function allowRoute53Read(role: iam.IRole, plan: Plan): void {
  grant(role, {
    sid: 'ReadZones',
    actions: ['route53:ListResourceRecordSets'],
    resources: hostedZoneArns(plan),
    reason: ZONE_BY_NAME,
  });
  grant(role, {
    sid: 'FindZones',
    actions: ['route53:ListHostedZonesByName'],
    resources: ['*'],
    reason: 'route53:ListHostedZonesByName supports no resource-level permissions.',
  });
}

/** Which of the plan's record names a task may write: production's, the drill names, or both. */
export type RecordNames = 'production' | 'drill' | 'both';

/** The normalized names (lower case, no trailing dot) of the records a task may change. */
export function writableRecordNames(plan: Plan, which: RecordNames): string[] {
  const names = plan.dns.zones.flatMap((z) => z.records.map((r) => r.name));
  const production = which === 'drill' ? [] : names;
  const drill = which === 'production' ? [] : names.map((n) => drillRecordName(plan.drills.recordPrefix, n));
  return [
    ...new Set([...production, ...drill].map((n) => normaliseDnsName(n).toLowerCase().replace(/\.$/, ''))),
  ];
}

/**
 * Changes to the plan's zones, and in them only to the records the plan manages: the condition
 * on the normalized record names holds even where the zone is found by name (`hostedzone/*`).
 */
export function allowRoute53Change(role: iam.IRole, plan: Plan, which: RecordNames = 'production'): void {
  grant(role, {
    sid: 'ChangeManagedRecords',
    actions: ['route53:ChangeResourceRecordSets'],
    resources: hostedZoneArns(plan),
    conditions: {
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': writableRecordNames(plan, which),
      },
    },
    reason: `${ZONE_BY_NAME} Writes are limited to the plan's managed record names by condition.`,
  });
}

/** Reading the status of a change Pendulum made. */
export function allowDnsSyncCheck(role: iam.IRole): void {
  grant(role, {
    sid: 'ChangeStatus',
    actions: ['route53:GetChange'],
    resources: ['arn:aws:route53:::change/*'],
    reason: 'Route 53 change ids are only known after the change is made; read-only.',
  });
}

/** Reading the plan's health-check alarms in the regions they are checked in. */
export function allowReadAlarms(
  role: iam.IRole,
  regions: readonly string[],
  alarmNames: readonly string[],
): void {
  if (alarmNames.length === 0) return;
  const arns = arnsFor(role);
  grant(role, {
    sid: 'ReadPlanAlarms',
    actions: ['cloudwatch:DescribeAlarms'],
    resources: regions.flatMap((region) => alarmNames.map((name) => arns.alarm(region, name))),
  });
}

/** Alarm ARNs the plan names, as they are (trigger alarms name their own region). */
export function allowReadAlarmArns(role: iam.IRole, alarmArns: readonly string[]): void {
  if (alarmArns.length === 0) return;
  grant(role, {
    sid: 'ReadTriggerAlarms',
    actions: ['cloudwatch:DescribeAlarms'],
    resources: [...alarmArns],
  });
}
