/**
 * The IAM policies of every role in a synthesized template, as they are once deployed: inline
 * policies of the role, `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy` resources attached to it,
 * with every intrinsic resolved the way the local AWS names things. A managed policy the template
 * does not define (an AWS managed policy) cannot be evaluated here and fails loudly.
 */
import type { CfnTemplate, ResolveContext } from '../resolve-intrinsics';
import { resolveIntrinsics } from '../resolve-intrinsics';

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface NamedPolicy {
  /** Where the policy comes from in the template, e.g. `FailoverRoleDefaultPolicy1234`. */
  name: string;
  policy: PolicyDocument;
}

export interface RolePolicies {
  logicalId: string;
  arn: string;
  policies: NamedPolicy[];
}

type Resources = NonNullable<CfnTemplate['Resources']>;

/**
 * The few AWS managed policies a template may attach, by name, as AWS publishes them (IAM console,
 * "AWS managed policy"). Any other fails loudly rather than being guessed.
 */
const AWS_MANAGED_POLICIES: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

/** The logical id a `{Ref}` or `{Fn::GetAtt: [id, 'Arn']}` points at, if it is one of those. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every role of the template with the policies that apply to it. */
export function rolePolicies(template: CfnTemplate, ctx: Omit<ResolveContext, 'template'>): RolePolicies[] {
  const resources: Resources = template.Resources ?? {};
  const full: ResolveContext = { ...ctx, template };
  const byRole = new Map<string, RolePolicies>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const props = resource.Properties ?? {};
    const arn = String(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, full));
    const policies: NamedPolicy[] = [];
    for (const inline of (props.Policies as { PolicyName: unknown; PolicyDocument: unknown }[]) ?? []) {
      policies.push({
        name: `${logicalId}/${String(resolveIntrinsics(inline.PolicyName, full))}`,
        policy: resolveIntrinsics(inline.PolicyDocument, full) as PolicyDocument,
      });
    }
    for (const managed of (props.ManagedPolicyArns as unknown[]) ?? []) {
      const id = referencedLogicalId(managed);
      const definition = id ? resources[id] : undefined;
      const awsManaged = /:iam::aws:policy\/(.+)$/.exec(String(resolveIntrinsics(managed, full)))?.[1];
      const known = awsManaged ? AWS_MANAGED_POLICIES[awsManaged] : undefined;
      if (known) {
        policies.push({ name: `aws-managed/${awsManaged}`, policy: known });
        continue;
      }
      if (definition?.Type !== 'AWS::IAM::ManagedPolicy') {
        throw new Error(
          `role ${logicalId} has managed policy ${JSON.stringify(managed)}, which the template does not define: it cannot be evaluated locally`,
        );
      }
      // Attached through the policy's own Roles too; added there.
    }
    byRole.set(logicalId, { logicalId, arn, policies });
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const props = resource.Properties ?? {};
    const document = resolveIntrinsics(props.PolicyDocument, full) as PolicyDocument;
    const attachedTo = new Set<string>();
    for (const role of (props.Roles as unknown[]) ?? []) {
      const id = referencedLogicalId(role);
      if (id) attachedTo.add(id);
    }
    for (const [roleId, roleResource] of Object.entries(resources)) {
      if (roleResource.Type !== 'AWS::IAM::Role') continue;
      const managed = (roleResource.Properties?.ManagedPolicyArns as unknown[]) ?? [];
      if (managed.some((m) => referencedLogicalId(m) === logicalId)) attachedTo.add(roleId);
    }
    for (const roleId of attachedTo) {
      const role = byRole.get(roleId);
      if (!role) throw new Error(`policy ${logicalId} is attached to ${roleId}, which is not a role here`);
      role.policies.push({ name: logicalId, policy: document });
    }
  }
  return [...byRole.values()];
}

/** The role a resource runs as (`Role` of a Lambda function, `RoleArn` of a state machine). */
export function roleOf(template: CfnTemplate, logicalId: string): string | undefined {
  const props = template.Resources?.[logicalId]?.Properties ?? {};
  return referencedLogicalId(props.Role ?? props.RoleArn);
}

/** Every statement of a document as a list. */
export function statementsOf(policy: PolicyDocument): PolicyStatement[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

/** A string or list as a list. */
export function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
