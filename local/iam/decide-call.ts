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
  for (const request of requests) {
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
