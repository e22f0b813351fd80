/**
 * The KMS use a task needs for the plan's keys, through EC2 or RDS only (kms:ViaService), in the
 * regions it works in. A key named by ARN is granted by ARN; one named by alias by the alias it
 * carries (kms:ResourceAliases), so moving the alias to a new key needs no redeploy.
 *
 * What each service asks of the caller (its principal's permissions, checked as the service calls
 * KMS on its behalf):
 * - RDS: kms:CreateGrant and kms:DescribeKey (RDS User Guide, "AWS KMS key management",
 *   "Authorizing use of a customer managed key").
 * - EBS: kms:CreateGrant, kms:Decrypt, kms:DescribeKey, kms:GenerateDataKeyWithoutPlainText and
 *   kms:ReEncrypt* (EBS User Guide, "Requirements for Amazon EBS encryption", "Permissions for users").
 * CreateGrant is further limited to grants for an AWS resource (kms:GrantIsForAWSResource), as both
 * guides advise.
 */
import type * as iam from 'aws-cdk-lib/aws-iam';
import { aliasName, isAliasRef, planKeysIn } from '../../lambdas/encryption/plan-keys';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { arnsFor, grant } from './grant';

export type KeyService = 'rds' | 'ec2';

const SERVICE_ACTIONS: Record<KeyService, readonly string[]> = {
  rds: ['kms:DescribeKey', 'kms:CreateGrant'],
  ec2: [
    'kms:DescribeKey',
    'kms:CreateGrant',
    'kms:Decrypt',
    'kms:GenerateDataKeyWithoutPlaintext',
    'kms:ReEncryptFrom',
    'kms:ReEncryptTo',
  ],
};

const ALIAS_REASON =
  'The plan names this key by alias: the statement is limited to keys carrying that alias (kms:ResourceAliases), in one region.';

/** Statements for `actions` on the plan's keys in `region`, each condition added. */
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
  const sidRegion = region.replace(/-/g, '');
  if (arns.length > 0) grant(role, { sid: `${sid}${sidRegion}`, actions, resources: arns, conditions });
  if (aliases.length > 0)
    grant(role, {
      sid: `${sid}ByAlias${sidRegion}`,
      actions,
      resources: [`arn:aws:kms:${region}:${account}:key/*`],
      conditions: { ...conditions, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } },
      reason: ALIAS_REASON,
    });
}

/**
 * The plan's keys in `regions`, usable by `services` on the task's behalf; and, when `describe`,
 * DescribeKey by the task itself (to resolve aliases and check what copies were encrypted with).
 */
export function allowPlanKeys(
  role: iam.IRole,
  plan: Plan,
  regions: readonly string[],
  services: readonly KeyService[],
  options: { describe?: boolean } = {},
): void {
  for (const region of regions) {
    const refs = planKeysIn(plan, region);
    if (refs.length === 0) continue;
    for (const service of services) {
      const via = { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com` } };
      const actions = SERVICE_ACTIONS[service];
      grantKeys(
        role,
        `Use${service === 'rds' ? 'Rds' : 'Ebs'}Keys`,
        region,
        actions.filter((a) => a !== 'kms:CreateGrant'),
        via,
        refs,
      );
      grantKeys(
        role,
        `Grant${service === 'rds' ? 'Rds' : 'Ebs'}Keys`,
        region,
        ['kms:CreateGrant'],
        { ...via, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        refs,
      );
    }
    if (options.describe) grantKeys(role, 'DescribeKeys', region, ['kms:DescribeKey'], {}, refs);
  }
}
