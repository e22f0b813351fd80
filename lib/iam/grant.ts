import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { acknowledge } from '../acknowledge';
import { nagResource } from '../triggers/nag-resource';

export interface GrantProps {
  /** Names the statement (and its policy); unique per role. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  /**
   * Why a wildcard in a resource or action is as narrow as the API allows. Required when there is
   * one: it is the cdk-nag acknowledgement of exactly this statement.
   * @default no wildcard allowed
   */
  readonly reason?: string;
}

/**
 * One statement for a task role. A statement with a wildcard gets a policy of its own, and the
 * cdk-nag IAM5 findings of that policy are acknowledged with this statement's reason only: a
 * wildcard added elsewhere later is not silenced by it.
 */
export function grant(role: iam.IRole, props: GrantProps): void {
  const statement = new iam.PolicyStatement({
    sid: props.sid,
    actions: [...props.actions],
    resources: [...props.resources],
    ...(props.conditions ? { conditions: props.conditions } : {}),
  });
  const wildResources = props.resources.filter((r) =>
    /[*?]/.test(nagResource(role as unknown as IConstruct, r)),
  );
  const wildActions = props.actions.filter((a) => /[*?]/.test(a));
  if (wildResources.length === 0 && wildActions.length === 0) {
    role.addToPrincipalPolicy(statement);
    return;
  }
  if (!props.reason)
    throw new Error(`grant ${props.sid}: a wildcard needs the reason it is as narrow as AWS allows`);
  const scope = role as unknown as IConstruct;
  const policy = new iam.Policy(scope, `Grant${props.sid}`, { statements: [statement], roles: [role] });
  for (const resource of wildResources)
    acknowledge(policy, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(scope, resource)}]`,
      reason: props.reason,
    });
  for (const action of wildActions)
    acknowledge(policy, { id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`, reason: props.reason });
}

/** ARN builders for one account (a token at synth). */
export function arnsFor(scope: IConstruct | iam.IRole) {
  const account = Stack.of(scope as IConstruct).account;
  return {
    account,
    ec2: (region: string, type: string, id = '*') =>
      `arn:aws:ec2:${region}:${type === 'image' || type === 'snapshot' ? '' : account}:${type}/${id}`,
    rds: (region: string, kind: string, name = '*') => `arn:aws:rds:${region}:${account}:${kind}:${name}`,
    alarm: (region: string, name: string) => `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`,
    role: (name: string) => (name.startsWith('arn:') ? name : `arn:aws:iam::${account}:role/${name}`),
  };
}
