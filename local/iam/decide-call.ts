/**
 * What AWS decides for one call by a role: the call's model (local/iam/operations), the facts AWS
 * reads, and the evaluator, one decision per request. Used by the enforcer for every task call and
 * by the must-deny tests to ask what a role could do.
 */
import { LOCAL_ACCOUNT_ID } from '../aws-environment';
import type { AuthorizationRequest, ResourceFacts } from './authorization-request';
import { type Decision, evaluateRequest } from './evaluate-request';
import { operationMapper } from './operation-authorizations';
import type { NamedPolicy } from './role-policies';

export interface Caller {
  readonly roleArn: string;
  readonly policies: readonly NamedPolicy[];
  readonly facts: ResourceFacts;
}

export interface SdkCall {
  /** The SDK client's name without `Client`, e.g. `EC2`. */
  readonly service: string;
  readonly operation: string;
  readonly input: unknown;
  readonly region: string;
}

/**
 * AWS authorizes a KMS action on the key an alias or id names, with the aliases the key carries
 * (kms:ResourceAliases) and, for an alias in the request, kms:RequestAlias (KMS Developer Guide,
 * "Using aliases to control access to KMS keys"). A key that does not exist is the service's own
 * error, not an authorization one.
 */
async function keyRequest(
  caller: Caller,
  request: AuthorizationRequest,
  callRegion: string,
): Promise<AuthorizationRequest | undefined> {
  const region = request.resource.startsWith('arn:')
    ? (request.resource.split(':')[3] ?? callRegion)
    : callRegion;
  const key = await caller.facts.kmsKey(region, request.resource);
  // A key of the template (the stack's own) is not in the local AWS: checked by its ARN as it is.
  if (!key) return /:key\//.test(request.resource) ? request : undefined;
  // Through its service, an AWS managed key's policy allows every principal of the account; read
  // directly (DescribeKey), it delegates to IAM like any key whose policy names the account.
  if (key.awsManaged && request.context?.['kms:ViaService'] !== undefined) return undefined;
  const alias = /(^|:)(alias\/.+)$/.exec(request.resource)?.[2];
  return {
    ...request,
    resource: key.arn,
    context: {
      ...(request.context ?? {}),
      ...(key.aliases.length > 0 ? { 'kms:ResourceAliases': key.aliases } : {}),
      ...(alias ? { 'kms:RequestAlias': alias } : {}),
    },
  };
}

/** An operation the local IAM layer has no model of. */
export class UnmodelledCallError extends Error {
  override readonly name = 'UnmodelledCallError';
}

export async function decideCall(
  caller: Caller,
  call: SdkCall,
): Promise<{ request: AuthorizationRequest; decision: Decision }[]> {
  const mapper = operationMapper(call.service, call.operation);
  if (!mapper)
    throw new UnmodelledCallError(`the local IAM layer has no model of ${call.service}.${call.operation}`);
  const requests = await mapper(call.input ?? {}, {
    region: call.region,
    account: LOCAL_ACCOUNT_ID,
    facts: caller.facts,
  });
  const decided = [];
  for (const asked of requests) {
    const request = asked.action.startsWith('kms:') ? await keyRequest(caller, asked, call.region) : asked;
    if (!request) continue;
    // KMS allows a call only if the key's own policy allows it too.
    const keyPolicy = request.action.startsWith('kms:')
      ? await caller.facts.keyPolicy(request.resource)
      : undefined;
    decided.push({
      request,
      decision: await evaluateRequest(caller.roleArn, caller.policies, request, call.region, keyPolicy),
    });
  }
  return decided;
}
