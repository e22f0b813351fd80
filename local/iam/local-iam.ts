/**
 * The IAM of one synthesized template, as the local runner enforces it: each Lambda function runs
 * as its own role, and a state machine may invoke a function only if its role allows it.
 */
import { LOCAL_ACCOUNT_ID } from '../aws-environment';
import { asHarness } from '../harness-calls';
import type { CfnTemplate } from '../resolve-intrinsics';
import { resolveIntrinsics } from '../resolve-intrinsics';
import { lambdaFunctions, type SynthLambdaFunction, type TemplateResolveOptions } from '../synthesized-app';
import type { ResourceFacts } from './authorization-request';
import { decideCall } from './decide-call';
import { evaluateRequest } from './evaluate-request';
import { type EnforcementMode, installIamEnforcement, runAsTask, type TaskPrincipal } from './iam-enforcer';
import { motoResourceFacts, type TemplateFacts } from './moto-resource-facts';
import { type RolePolicies, roleOf, rolePolicies } from './role-policies';

export interface LocalIam {
  /** Runs a handler invocation as the function's role. */
  runAs<T>(fn: SynthLambdaFunction, body: () => Promise<T>): Promise<T>;
  /** True for the errors `runAs` throws when the harness itself could not model a call. */
  isHarnessFault(error: unknown): boolean;
  /** Why the state machine's role may not invoke the function, or undefined when it may. */
  stateMachineMayNotInvoke(
    stateMachineLogicalId: string,
    fn: SynthLambdaFunction,
  ): Promise<string | undefined>;
  /**
   * What AWS would decide if the task running `handlerModule` made this call (nothing is called):
   * the must-deny tests ask it what a role could do beyond what its handler does.
   */
  decide(
    handlerModule: string,
    call: { service: string; operation: string; input: unknown; region: string },
  ): Promise<{ action: string; resource: string; implicit?: string; allowed: boolean }[]>;
}

class LocalIamHarnessFault extends Error {
  override readonly name = 'LocalIamHarnessFault';
}

/** The template's KMS keys (their policies) and which topics they encrypt. */
function templateFacts(template: CfnTemplate, options: TemplateResolveOptions): TemplateFacts {
  const topicKeys = new Map<string, string>();
  const keyPolicies = new Map<string, unknown>();
  const region = options.region ?? 'us-east-1';
  const account = options.accountId ?? LOCAL_ACCOUNT_ID;
  const ctx = { ...options, template };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type === 'AWS::KMS::Key') {
      const arn = String(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx));
      keyPolicies.set(arn, resolveIntrinsics(resource.Properties?.KeyPolicy, ctx));
    }
    if (resource.Type !== 'AWS::SNS::Topic' || resource.Properties?.KmsMasterKeyId === undefined) continue;
    const topicArn = String(resolveIntrinsics({ Ref: logicalId }, ctx));
    const key = String(resolveIntrinsics(resource.Properties.KmsMasterKeyId, ctx));
    topicKeys.set(topicArn, key.startsWith('arn:') ? key : `arn:aws:kms:${region}:${account}:key/${key}`);
  }
  return { topicKeys, keyPolicies };
}

/** The evaluator's reads of moto are the harness's, never the task's (no IAM, no realism). */
function asHarnessFacts(facts: ResourceFacts): ResourceFacts {
  return Object.fromEntries(
    Object.entries(facts).map(([name, read]) => [
      name,
      (...args: unknown[]) => asHarness(() => (read as (...a: unknown[]) => unknown)(...args)),
    ]),
  ) as unknown as ResourceFacts;
}

export function localIamFor(template: CfnTemplate, options: TemplateResolveOptions): LocalIam {
  installIamEnforcement();
  const mode: EnforcementMode = process.env.PENDULUM_LOCAL_IAM === 'audit' ? 'audit' : 'enforce';
  const roles = new Map<string, RolePolicies>(rolePolicies(template, options).map((r) => [r.logicalId, r]));
  const facts = asHarnessFacts(motoResourceFacts(templateFacts(template, options)));
  const roleFor = (logicalId: string): RolePolicies => {
    const roleId = roleOf(template, logicalId);
    const role = roleId ? roles.get(roleId) : undefined;
    if (!role)
      throw new LocalIamHarnessFault(`${logicalId} has no role in the template: it cannot be authorized`);
    return role;
  };
  const invokeDecisions = new Map<string, Promise<string | undefined>>();

  return {
    async runAs(fn, body) {
      const role = roleFor(fn.logicalId);
      const principal: TaskPrincipal = {
        functionLogicalId: fn.logicalId,
        handlerModule: fn.handlerModule,
        roleLogicalId: role.logicalId,
        roleArn: role.arn,
        policies: role.policies,
        facts,
      };
      const { outcome, faults } = await runAsTask(principal, body, mode);
      // A fault the handler swallowed still fails the execution: the harness cannot vouch for it.
      if (faults.length > 0) throw new LocalIamHarnessFault(faults.join('; '));
      if (outcome.status === 'rejected') throw outcome.reason;
      return outcome.value;
    },
    isHarnessFault: (error) => error instanceof LocalIamHarnessFault,
    async decide(handlerModule, call) {
      const fn = lambdaFunctions(template, options).find((f) => f.handlerModule === handlerModule);
      if (!fn) throw new Error(`no function runs ${handlerModule} in this template`);
      const role = roleFor(fn.logicalId);
      const decided = await decideCall({ roleArn: role.arn, policies: role.policies, facts }, call);
      return decided.map(({ request, decision }) => ({
        action: request.action,
        resource: request.resource,
        ...(request.implicit ? { implicit: request.implicit } : {}),
        allowed: decision.allowed,
      }));
    },
    stateMachineMayNotInvoke(stateMachineLogicalId, fn) {
      const key = `${stateMachineLogicalId}→${fn.logicalId}`;
      let decision = invokeDecisions.get(key);
      if (!decision) {
        const role = roleFor(stateMachineLogicalId);
        decision = evaluateRequest(
          role.arn,
          role.policies,
          { action: 'lambda:InvokeFunction', resource: fn.arn },
          options.region ?? 'us-east-1',
        ).then((d) =>
          d.allowed
            ? undefined
            : `User: ${role.arn} is not authorized to perform: lambda:InvokeFunction on resource: ${fn.arn} because ${d.reason}`,
        );
        invokeDecisions.set(key, decision);
      }
      return decision;
    },
  };
}
