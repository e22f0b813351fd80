/**
 * What AWS authorizes for one API call: one request per (action, resource) pair, with the context
 * keys AWS supplies for it. An operation usually needs several: RunInstances is authorized once for
 * each resource it touches or creates, plus `ec2:CreateTags` for the tags it applies at launch and
 * `iam:PassRole` for the instance profile's role.
 */

export type ContextValues = Record<string, string | string[]>;

/**
 * A call on every resource of a kind (a describe with no identifier) is authorized on this name:
 * only a statement that covers every name matches it, as only such a statement allows the call on AWS.
 */
export const EVERY_RESOURCE = 'zz-every-resource';

export interface AuthorizationRequest {
  /** `service:Action` as IAM names it. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that support no resource-level permissions. */
  readonly resource: string;
  readonly context?: ContextValues;
  /** Why a check other than the call's own action is made: `tag on create`, `final snapshot`, `KMS` … */
  readonly implicit?: string;
}

/** Facts about existing resources that AWS reads when it authorizes (tags, keys, roles). */
export interface ResourceFacts {
  /** Tags of EC2 resources by id (instances, images, snapshots, volumes, subnets, security groups). */
  ec2Tags(region: string, ids: readonly string[]): Promise<Map<string, Record<string, string>>>;
  /** EBS snapshots behind an AMI, with the KMS key of each encrypted one. */
  imageSnapshots(region: string, imageId: string): Promise<{ snapshotId: string; kmsKeyId?: string }[]>;
  /** Tags of an RDS resource by ARN; undefined when it does not exist. */
  rdsTags(arn: string): Promise<Record<string, string> | undefined>;
  /** The KMS key of an encrypted DB snapshot or instance (by ARN), undefined when unencrypted. */
  rdsKmsKey(arn: string): Promise<string | undefined>;
  /** An instance profile (by name or ARN): whether it exists, and the role behind it if it has one. */
  instanceProfile(profile: string): Promise<{ exists: boolean; roleArn?: string }>;
  /** The KMS key that encrypts an SNS topic, per the template. */
  topicKey(topicArn: string): string | undefined;
  /** Whether an S3 object exists (a GetObject of a missing key is answered by ListBucket's grant). */
  s3ObjectExists(bucket: string, key: string): Promise<boolean>;
  /** A KMS key's key policy: KMS allows a call only if the key policy allows it too. */
  keyPolicy(keyArn: string): Promise<unknown>;
  /**
   * A KMS key by ARN, id, alias or alias ARN in `region`: its ARN, the aliases it carries and
   * whether AWS manages it; undefined when there is no such key.
   */
  kmsKey(
    region: string,
    keyId: string,
  ): Promise<{ arn: string; aliases: string[]; awsManaged: boolean } | undefined>;
}

export interface OperationEnv {
  /** The region the client calls. */
  readonly region: string;
  readonly account: string;
  readonly facts: ResourceFacts;
}

/** Maps a call's input to what AWS authorizes for it. */
// biome-ignore lint/suspicious/noExplicitAny: SDK inputs of many shapes; each mapper reads its own fields.
export type OperationMapper = (input: any, env: OperationEnv) => Promise<AuthorizationRequest[]>;

/** Tag context keys for a tag set being applied (`aws:RequestTag/*`, `aws:TagKeys`). */
export function requestTagContext(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
  servicePrefix?: string,
): ContextValues {
  const context: ContextValues = {};
  const keys: string[] = [];
  for (const tag of tags ?? []) {
    if (!tag.Key) continue;
    keys.push(tag.Key);
    context[`aws:RequestTag/${tag.Key}`] = tag.Value ?? '';
    if (servicePrefix) context[`${servicePrefix}:req-tag/${tag.Key}`] = tag.Value ?? '';
  }
  if (keys.length > 0) context['aws:TagKeys'] = keys;
  return context;
}

/** Tag context keys of an existing resource (`aws:ResourceTag/*`, and a service's own alias). */
export function resourceTagContext(
  tags: Record<string, string> | undefined,
  servicePrefix?: 'ec2',
): ContextValues {
  const context: ContextValues = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    context[`aws:ResourceTag/${key}`] = value;
    if (servicePrefix) context[`${servicePrefix}:ResourceTag/${key}`] = value;
  }
  return context;
}

/** The KMS checks AWS makes when a service uses a customer managed key on the caller's behalf. */
export function kmsUse(
  keyArn: string | undefined,
  viaService: string,
  actions: readonly string[],
): AuthorizationRequest[] {
  if (!keyArn || isAwsManagedKey(keyArn)) return [];
  return actions.map((action) => ({
    action,
    resource: keyArn,
    context: {
      'kms:ViaService': viaService,
      // A grant the service makes for the resource it creates (KMS Developer Guide, condition key
      // kms:GrantIsForAWSResource).
      ...(action === 'kms:CreateGrant' ? { 'kms:GrantIsForAWSResource': 'true' } : {}),
    },
    implicit: 'KMS',
  }));
}

/**
 * AWS managed keys (`alias/aws/ebs`, `alias/aws/rds`) are usable by every principal of the account
 * through their service, by their key policy: no identity grant is needed, so none is checked.
 */
function isAwsManagedKey(key: string): boolean {
  return /alias\/aws\//.test(key);
}
