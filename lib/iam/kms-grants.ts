/**
 * The KMS use a task needs for the plan's keys, through EC2 or RDS only (kms:ViaService), in the
 * regions it works in, for what it does there. A key named by ARN is granted by ARN; one named by
 * alias by the alias it carries (kms:ResourceAliases), so moving the alias to a new key needs no
 * redeploy.
 *
 * What each service asks of the caller (its principal's permissions, checked as the service calls
 * KMS on its behalf):
 * - RDS: kms:CreateGrant and kms:DescribeKey (RDS User Guide, "AWS KMS key management",
 *   "Authorizing use of a customer managed key"); reading an encrypted source decrypts with its key,
 *   writing a copy generates and re-encrypts data keys under the destination's.
 * - EBS: kms:CreateGrant, kms:Decrypt, kms:DescribeKey, kms:GenerateDataKeyWithoutPlainText and
 *   kms:ReEncrypt* (EBS User Guide, "Requirements for Amazon EBS encryption", "Permissions for users").
 * CreateGrant is limited to grants for an AWS resource (kms:GrantIsForAWSResource), as both guides
 * advise. The sets per use are those the local IAM layer checks (local/iam/operations).
 */

import type * as iam from 'aws-cdk-lib/aws-iam';
import { AWS_MANAGED_ALIAS } from '../../lambdas/encryption/aws-managed-keys';
import { aliasName, isAliasRef, planKeysIn } from '../../lambdas/encryption/plan-keys';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { arnsFor, grant } from './grant';

/**
 * What a task does with a region's keys: `rdsSource` restores or copies from an RDS snapshot or
 * database under it, `rdsTarget` writes an RDS copy under it, `ebsSource` copies an AMI from under
 * it, `ebsTarget` writes an AMI copy under it, `ebsLaunch` launches instances from volumes under it,
 * `describe` resolves and reads the key itself (the task's own DescribeKey).
 */
export type KeyUse = 'rdsSource' | 'rdsTarget' | 'ebsSource' | 'ebsTarget' | 'ebsLaunch' | 'describe';

const ACTIONS: Record<KeyUse, readonly string[]> = {
  rdsSource: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey'],
  rdsTarget: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ReEncryptTo'],
  ebsSource: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom'],
  ebsTarget: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo'],
  ebsLaunch: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext'],
  describe: ['kms:DescribeKey'],
};

const SERVICE: Record<KeyUse, 'rds' | 'ec2' | undefined> = {
  rdsSource: 'rds',
  rdsTarget: 'rds',
  ebsSource: 'ec2',
  ebsTarget: 'ec2',
  ebsLaunch: 'ec2',
  describe: undefined,
};

const ALIAS_REASON =
  'The plan names this key by alias: the statement is limited to keys carrying that alias (kms:ResourceAliases), in one region.';

function grantKeys(
  role: iam.IRole,
  sid: string,
  region: string,
  actions: readonly string[],
  conditions: Record<string, Record<string, unknown>>,
  refs: readonly string[],
): void {
  const arns = refs.filter((r) => !isAliasRef(r));
  const aliases = refs.filter(isAliasRef).map(aliasName);
  const account = arnsFor(role).account;
  const where = region.replace(/-/g, '');
  const withConditions = Object.keys(conditions).length > 0 ? { conditions } : {};
  if (arns.length > 0) grant(role, { sid: `${sid}${where}`, actions, resources: arns, ...withConditions });
  if (aliases.length > 0)
    grant(role, {
      sid: `${sid}ByAlias${where}`,
      actions,
      resources: [`arn:aws:kms:${region}:${account}:key/*`],
      conditions: { ...conditions, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } },
      reason: ALIAS_REASON,
    });
}

const sidOf = (use: KeyUse) => `Keys${use[0]?.toUpperCase()}${use.slice(1)}`;

/** The plan's keys in `region` for `uses`; nothing when the plan names no key there. */
export function allowPlanKeys(role: iam.IRole, plan: Plan, region: string, uses: readonly KeyUse[]): void {
  for (const use of uses) {
    const service = SERVICE[use];
    // Through a service, only the keys of resources it encrypts (and the plan-wide one).
    const refs = planKeysIn(plan, region, service === 'ec2' ? 'ebs' : service);
    if (refs.length === 0) continue;
    const via = service ? { 'kms:ViaService': `${service}.${region}.amazonaws.com` } : undefined;
    const actions = ACTIONS[use];
    const others = actions.filter((a) => a !== 'kms:CreateGrant');
    grantKeys(role, sidOf(use), region, others, via ? { StringEquals: via } : {}, refs);
    if (actions.includes('kms:CreateGrant'))
      grantKeys(
        role,
        `${sidOf(use)}Grant`,
        region,
        ['kms:CreateGrant'],
        { StringEquals: { ...via }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        refs,
      );
  }
}

const MANAGED_REASON =
  "Which key is AWS managed is learnt by DescribeKey of the service's alias: only through that alias (kms:RequestAlias), metadata only, in the plan's regions.";

/**
 * DescribeKey of the AWS managed keys by their aliases, so a source encrypted under one is known
 * for what it is without reading keys Pendulum is not given (the key policy of an AWS managed key
 * lets the account's IAM policies allow DescribeKey).
 */
export function allowAwsManagedKeyLookup(role: iam.IRole, regions: readonly string[]): void {
  const account = arnsFor(role).account;
  grant(role, {
    sid: 'DescribeAwsManagedKeys',
    actions: ['kms:DescribeKey'],
    resources: regions.map((region) => `arn:aws:kms:${region}:${account}:key/*`),
    conditions: { StringEquals: { 'kms:RequestAlias': Object.values(AWS_MANAGED_ALIAS) } },
    reason: MANAGED_REASON,
  });
}
