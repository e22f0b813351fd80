/**
 * Reading a synthesized CDK app (the CloudFormation template JSON of one stack) the way the local harness
 * needs it: the state machines with their ASL resolved to plain values, and the Lambda functions whose
 * code is one of our handler modules (marked by `Metadata["pendulum:handler"]`).
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { REPO_ROOT } from './repo-root';
import {
  type CfnTemplate,
  type ResolveContext,
  resolveIntrinsics,
  resolvePhysicalName,
} from './resolve-intrinsics';

/** Resolution settings besides the template itself: region, stack name, physical ids, parameters. */
export type TemplateResolveOptions = Omit<ResolveContext, 'template'>;

/** The metadata key through which the CDK stack says which handler module a function runs. */
export const HANDLER_METADATA_KEY = 'pendulum:handler';

export type AslDefinition = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  [other: string]: unknown;
};

export interface SynthStateMachine {
  logicalId: string;
  /** The StateMachineName property, else the CDK construct path tail, else the logical id without its hash. */
  name: string;
  /** The ARN the state machine has once deployed locally. */
  arn: string;
  /** The ASL definition with every intrinsic resolved and DefinitionSubstitutions applied. */
  definition: AslDefinition;
}

export interface SynthLambdaFunction {
  logicalId: string;
  /** As written in the metadata: a path relative to the repository root, e.g. `lambdas/handlers/lock.ts`. */
  handlerModule: string;
  /** `handlerModule` made absolute against the repository root. */
  handlerPath: string;
  /** Physical function name (what `Ref` yields). */
  functionName: string;
  arn: string;
  /** `Environment.Variables`, resolved; values are strings as Lambda gives them. */
  environment: Record<string, string>;
  /** The `Timeout` property in seconds (Lambda's default 3). */
  timeoutSeconds: number;
  /** The `MemorySize` property (Lambda's default 128). */
  memorySize: number;
}

function resourcesOfType(template: CfnTemplate, type: string) {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}

function contextFor(template: CfnTemplate, options: TemplateResolveOptions): ResolveContext {
  return { ...options, template };
}

/** `Stack/Workflows/Failover/Resource` → `Failover`; `FailoverWorkflowA1B2C3D4` → `FailoverWorkflow`. */
function constructName(logicalId: string, metadata: Record<string, unknown> | undefined): string {
  const path = metadata?.['aws:cdk:path'];
  if (typeof path === 'string' && path !== '') {
    const parts = path.split('/').filter(Boolean);
    while (parts.length > 1 && (parts.at(-1) === 'Resource' || parts.at(-1) === 'Default')) parts.pop();
    const tail = parts.at(-1);
    if (tail) return tail;
  }
  return logicalId.replace(/[0-9A-F]{8}$/, '') || logicalId;
}

function applySubstitutions(text: string, substitutions: unknown, where: string): string {
  if (substitutions === undefined) return text;
  if (typeof substitutions !== 'object' || substitutions === null || Array.isArray(substitutions)) {
    throw new Error(`${where}: DefinitionSubstitutions must be an object`);
  }
  let out = text;
  for (const [key, value] of Object.entries(substitutions)) {
    const replacement = typeof value === 'string' ? value : JSON.stringify(value);
    out = out.split(`\${${key}}`).join(replacement);
  }
  return out;
}

/** Every `AWS::StepFunctions::StateMachine` in the template with its definition resolved. */
export function stateMachines(
  template: CfnTemplate,
  options: TemplateResolveOptions = {},
): SynthStateMachine[] {
  const ctx = contextFor(template, options);
  return resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const where = `state machine ${logicalId}`;
    const substitutions = resolveIntrinsics(properties.DefinitionSubstitutions, ctx);
    let text: string;
    if (properties.DefinitionString !== undefined) {
      const resolved = resolveIntrinsics(properties.DefinitionString, ctx);
      if (typeof resolved !== 'string')
        throw new Error(`${where}: DefinitionString did not resolve to a string`);
      text = resolved;
    } else if (properties.Definition !== undefined) {
      text = JSON.stringify(resolveIntrinsics(properties.Definition, ctx));
    } else {
      throw new Error(
        `${where}: no DefinitionString or Definition (DefinitionS3Location is not supported locally)`,
      );
    }
    text = applySubstitutions(text, substitutions, where);
    let definition: AslDefinition;
    try {
      definition = JSON.parse(text) as AslDefinition;
    } catch (error) {
      throw new Error(`${where}: the resolved definition is not JSON (${(error as Error).message})`);
    }
    const explicitName = properties.StateMachineName;
    const name =
      explicitName === undefined
        ? constructName(logicalId, resource.Metadata)
        : String(resolveIntrinsics(explicitName, ctx));
    const arn = String(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx));
    return { logicalId, name, arn, definition };
  });
}

/** Every `AWS::Lambda::Function` whose metadata names one of our handler modules. */
export function lambdaFunctions(
  template: CfnTemplate,
  options: TemplateResolveOptions = {},
): SynthLambdaFunction[] {
  const ctx = contextFor(template, options);
  const found: SynthLambdaFunction[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const handlerModule = resource.Metadata?.[HANDLER_METADATA_KEY];
    if (typeof handlerModule !== 'string' || handlerModule === '') continue;
    const properties = resource.Properties ?? {};
    const variables = resolveIntrinsics(
      (properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
      ctx,
    ) as Record<string, unknown>;
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables)) {
      environment[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    found.push({
      logicalId,
      handlerModule,
      handlerPath: isAbsolute(handlerModule) ? handlerModule : resolvePath(REPO_ROOT, handlerModule),
      functionName: resolvePhysicalName(logicalId, ctx),
      arn: String(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, ctx)),
      environment,
      timeoutSeconds: Number(resolveIntrinsics(properties.Timeout, ctx) ?? 3),
      memorySize: Number(resolveIntrinsics(properties.MemorySize, ctx) ?? 128),
    });
  }
  return found;
}
