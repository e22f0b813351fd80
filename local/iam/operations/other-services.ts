/**
 * Route 53, IAM, DynamoDB, S3, SNS, CloudWatch, Lambda, Secrets Manager and EventBridge Scheduler operations as AWS authorizes
 * them (Service Authorization Reference of each service).
 */
import { EVERY_RESOURCE, kmsUse, type OperationEnv, type OperationMapper } from '../authorization-request';

/** Actions that support no resource-level permissions are authorized on `*`. */
const wildcard =
  (action: string): OperationMapper =>
  async () => [{ action, resource: '*' }];

const zoneArn = (id: string) => `arn:aws:route53:::hostedzone/${id.replace(/^\/?hostedzone\//, '')}`;

/** Route 53's normalized record name: lower case, no trailing dot (Route 53 Developer Guide, IAM conditions). */
function normalizedRecordName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

const ROUTE53: Record<string, OperationMapper> = {
  ListHostedZones: wildcard('route53:ListHostedZones'),
  ListHostedZonesByName: wildcard('route53:ListHostedZonesByName'),
  GetHostedZone: async (input: { Id: string }) => [
    { action: 'route53:GetHostedZone', resource: zoneArn(input.Id) },
  ],
  ListResourceRecordSets: async (input: { HostedZoneId: string }) => [
    { action: 'route53:ListResourceRecordSets', resource: zoneArn(input.HostedZoneId) },
  ],
  GetChange: async (input: { Id: string }) => [
    {
      action: 'route53:GetChange',
      resource: `arn:aws:route53:::change/${input.Id.replace(/^\/?change\//, '')}`,
    },
  ],
  // The VPC is a condition, not a resource (route53:VPCs, `VPCId=<id>,VPCRegion=<region>`), and
  // AWS checks it with ec2:DescribeVpcs as the caller (Route 53 Developer Guide: "Using IAM policy
  // conditions for fine-grained access control"; "Route 53 API permissions reference").
  AssociateVPCWithHostedZone: async (input: {
    HostedZoneId: string;
    VPC?: { VPCId?: string; VPCRegion?: string };
  }) => [
    {
      action: 'route53:AssociateVPCWithHostedZone',
      resource: zoneArn(input.HostedZoneId),
      context: { 'route53:VPCs': `VPCId=${input.VPC?.VPCId ?? ''},VPCRegion=${input.VPC?.VPCRegion ?? ''}` },
    },
    { action: 'ec2:DescribeVpcs', resource: '*', implicit: 'VPC check' },
  ],
  // Never called by Pendulum; modelled so tests can ask who may.
  DisassociateVPCFromHostedZone: async (input: {
    HostedZoneId: string;
    VPC?: { VPCId?: string; VPCRegion?: string };
  }) => [
    {
      action: 'route53:DisassociateVPCFromHostedZone',
      resource: zoneArn(input.HostedZoneId),
      context: { 'route53:VPCs': `VPCId=${input.VPC?.VPCId ?? ''},VPCRegion=${input.VPC?.VPCRegion ?? ''}` },
    },
  ],
  ChangeResourceRecordSets: async (input: {
    HostedZoneId: string;
    ChangeBatch?: { Changes?: { Action?: string; ResourceRecordSet?: { Name?: string; Type?: string } }[] };
  }) => {
    const changes = input.ChangeBatch?.Changes ?? [];
    const distinct = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => !!v))];
    return [
      {
        action: 'route53:ChangeResourceRecordSets',
        resource: zoneArn(input.HostedZoneId),
        context: {
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': distinct(
            changes.map((c) => c.ResourceRecordSet?.Name && normalizedRecordName(c.ResourceRecordSet.Name)),
          ),
          'route53:ChangeResourceRecordSetsRecordTypes': distinct(
            changes.map((c) => c.ResourceRecordSet?.Type),
          ),
          'route53:ChangeResourceRecordSetsActions': distinct(changes.map((c) => c.Action)),
        },
      },
    ];
  },
};

const tableArn = (env: OperationEnv, table: string, index?: string) =>
  `arn:aws:dynamodb:${env.region}:${env.account}:table/${table}${index ? `/index/${index}` : ''}`;

const item =
  (action: string): OperationMapper =>
  async (input: { TableName: string }, env) => [{ action, resource: tableArn(env, input.TableName) }];

const DYNAMODB: Record<string, OperationMapper> = {
  GetItem: item('dynamodb:GetItem'),
  PutItem: item('dynamodb:PutItem'),
  UpdateItem: item('dynamodb:UpdateItem'),
  DeleteItem: item('dynamodb:DeleteItem'),
  Query: async (input: { TableName: string; IndexName?: string }, env) => [
    { action: 'dynamodb:Query', resource: tableArn(env, input.TableName, input.IndexName) },
  ],
  Scan: async (input: { TableName: string; IndexName?: string }, env) => [
    { action: 'dynamodb:Scan', resource: tableArn(env, input.TableName, input.IndexName) },
  ],
};
// The document client's commands are the same operations.
Object.assign(DYNAMODB, {
  Get: DYNAMODB.GetItem,
  Put: DYNAMODB.PutItem,
  Update: DYNAMODB.UpdateItem,
  Delete: DYNAMODB.DeleteItem,
});

const S3: Record<string, OperationMapper> = {
  // A missing key is NoSuchKey only to a caller that may list the bucket; to others, AccessDenied
  // (S3 User Guide, "Required permissions for Amazon S3 API operations", GetObject).
  GetObject: async (input: { Bucket: string; Key: string }, env) => [
    { action: 's3:GetObject', resource: `arn:aws:s3:::${input.Bucket}/${input.Key}` },
    ...((await env.facts.s3ObjectExists(input.Bucket, input.Key))
      ? []
      : [{ action: 's3:ListBucket', resource: `arn:aws:s3:::${input.Bucket}`, implicit: 'missing key' }]),
  ],
  PutObject: async (input: { Bucket: string; Key: string }) => [
    { action: 's3:PutObject', resource: `arn:aws:s3:::${input.Bucket}/${input.Key}` },
  ],
  ListObjectsV2: async (input: { Bucket: string }) => [
    { action: 's3:ListBucket', resource: `arn:aws:s3:::${input.Bucket}` },
  ],
  HeadObject: async (input: { Bucket: string; Key: string }) => [
    { action: 's3:GetObject', resource: `arn:aws:s3:::${input.Bucket}/${input.Key}` },
  ],
};

const SNS: Record<string, OperationMapper> = {
  // Publishing to an encrypted topic makes SNS use its key as the caller (SNS Developer Guide, SSE).
  Publish: async (input: { TopicArn: string }, env) => [
    { action: 'sns:Publish', resource: input.TopicArn },
    ...kmsUse(env.facts.topicKey(input.TopicArn), `sns.${env.region}.amazonaws.com`, [
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ]),
  ],
};

const alarmArn = (env: OperationEnv, name: string) =>
  `arn:aws:cloudwatch:${env.region}:${env.account}:alarm:${name}`;

const CLOUDWATCH: Record<string, OperationMapper> = {
  DescribeAlarms: async (input: { AlarmNames?: string[]; AlarmNamePrefix?: string }, env) => {
    const names = input.AlarmNames ?? [];
    if (names.length > 0)
      return names.map((name) => ({ action: 'cloudwatch:DescribeAlarms', resource: alarmArn(env, name) }));
    return [
      {
        action: 'cloudwatch:DescribeAlarms',
        resource: alarmArn(env, `${input.AlarmNamePrefix ?? ''}${EVERY_RESOURCE}`),
      },
    ];
  },
  GetMetricStatistics: wildcard('cloudwatch:GetMetricStatistics'),
  GetMetricData: wildcard('cloudwatch:GetMetricData'),
  PutMetricData: async (input: { Namespace?: string }) => [
    {
      action: 'cloudwatch:PutMetricData',
      resource: '*',
      context: { 'cloudwatch:namespace': input.Namespace ?? '' },
    },
  ],
};

const LAMBDA: Record<string, OperationMapper> = {
  Invoke: async (input: { FunctionName: string }, env) => [
    {
      action: 'lambda:InvokeFunction',
      resource: input.FunctionName.startsWith('arn:')
        ? input.FunctionName
        : `arn:aws:lambda:${env.region}:${env.account}:function:${input.FunctionName}`,
    },
  ],
};

const SECRETS_MANAGER: Record<string, OperationMapper> = {
  GetSecretValue: async (input: { SecretId: string }, env) => [
    {
      action: 'secretsmanager:GetSecretValue',
      resource: input.SecretId.startsWith('arn:')
        ? input.SecretId
        : `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${input.SecretId}`,
    },
  ],
};

const scheduleArn = (env: OperationEnv, group: string | undefined, name: string) =>
  `arn:aws:scheduler:${env.region}:${env.account}:schedule/${group ?? 'default'}/${name}`;

// EventBridge Scheduler: a schedule's target role is passed to Scheduler when it is created
// (Service Authorization Reference, EventBridge Scheduler: CreateSchedule, dependent iam:PassRole).
const SCHEDULER: Record<string, OperationMapper> = {
  GetSchedule: async (input: { Name: string; GroupName?: string }, env) => [
    { action: 'scheduler:GetSchedule', resource: scheduleArn(env, input.GroupName, input.Name) },
  ],
  CreateSchedule: async (input: { Name: string; GroupName?: string; Target?: { RoleArn?: string } }, env) => [
    { action: 'scheduler:CreateSchedule', resource: scheduleArn(env, input.GroupName, input.Name) },
    ...(input.Target?.RoleArn
      ? [
          {
            action: 'iam:PassRole',
            resource: input.Target.RoleArn,
            context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
            implicit: 'schedule target role',
          },
        ]
      : []),
  ],
  DeleteSchedule: async (input: { Name: string; GroupName?: string }, env) => [
    { action: 'scheduler:DeleteSchedule', resource: scheduleArn(env, input.GroupName, input.Name) },
  ],
};

/** By the SDK client's name without `Client`. */
/** Keys are resolved (alias → key, with its aliases) where the request is decided (decide-call). */
const KMS: Record<string, OperationMapper> = {
  DescribeKey: async (input: { KeyId: string }) => [{ action: 'kms:DescribeKey', resource: input.KeyId }],
};

/** IAM is global: its ARNs have no region (Service Authorization Reference, IAM: instance-profile). */
const IAM: Record<string, OperationMapper> = {
  GetInstanceProfile: async (input: { InstanceProfileName: string }, env) => [
    {
      action: 'iam:GetInstanceProfile',
      resource: `arn:aws:iam::${env.account}:instance-profile/${input.InstanceProfileName}`,
    },
  ],
};

/** A quota's ARN is `servicequotas:<region>:<account>:<service code>/<quota code>` (Service Authorization Reference, Service Quotas: quota). */
const quotaArn = (
  input: { ServiceCode: string; QuotaCode: string },
  env: { region: string; account: string },
) => `arn:aws:servicequotas:${env.region}:${env.account}:${input.ServiceCode}/${input.QuotaCode}`;
const SERVICE_QUOTAS: Record<string, OperationMapper> = {
  GetServiceQuota: async (input: { ServiceCode: string; QuotaCode: string }, env) => [
    { action: 'servicequotas:GetServiceQuota', resource: quotaArn(input, env) },
  ],
  // Defaults are the same for every account: the action names no resource.
  GetAWSDefaultServiceQuota: async () => [
    { action: 'servicequotas:GetAWSDefaultServiceQuota', resource: '*' },
  ],
};

export const OTHER_OPERATIONS: Record<string, Record<string, OperationMapper>> = {
  KMS,
  ServiceQuotas: SERVICE_QUOTAS,
  IAM,
  Route53: ROUTE53,
  DynamoDB: DYNAMODB,
  S3,
  SNS,
  CloudWatch: CLOUDWATCH,
  Lambda: LAMBDA,
  SecretsManager: SECRETS_MANAGER,
  Scheduler: SCHEDULER,
};
