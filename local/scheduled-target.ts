/**
 * Runs the target of one synthesized EventBridge Scheduler schedule as the scheduler would: its
 * role must be allowed to invoke the target (lambda:InvokeFunction or states:StartExecution), and
 * a Lambda target runs its real handler as its own role, with the schedule's input, under the
 * IAM-enforcing runner. State machine targets run through the local workflow runner.
 */
import { pathToFileURL } from 'node:url';
import { evaluateRequest } from './iam/evaluate-request';
import { localIamFor } from './iam/local-iam';
import { referencedLogicalId, rolePolicies } from './iam/role-policies';
import { runWorkflow, type WorkflowRunResult } from './local-workflow-runner';
import { installMotoGapAdapters } from './moto-gaps';
import { type CfnTemplate, resolveIntrinsics } from './resolve-intrinsics';
import { lambdaFunctions, stateMachines, type TemplateResolveOptions } from './synthesized-app';

export interface ScheduleTargetRun {
  readonly schedule: string;
  /** What the Lambda target returned, or the workflow run of a state machine target. */
  readonly result: unknown;
  readonly workflow?: WorkflowRunResult;
}

export async function runScheduleTarget(options: {
  template: CfnTemplate;
  /** Logical id, or a unique substring of it. */
  schedule: string;
  resolve: TemplateResolveOptions;
}): Promise<ScheduleTargetRun> {
  const { template, resolve } = options;
  const ctx = { ...resolve, template };
  const matches = Object.entries(template.Resources ?? {}).filter(
    ([id, r]) => r.Type === 'AWS::Scheduler::Schedule' && id.includes(options.schedule),
  );
  if (matches.length !== 1)
    throw new Error(`"${options.schedule}" matches ${matches.length} schedules; name one`);
  const [scheduleId, schedule] = matches[0] as [string, { Properties?: Record<string, unknown> }];
  const target = (schedule.Properties?.Target ?? {}) as { Arn?: unknown; Input?: string; RoleArn?: unknown };
  const targetArn = String(resolveIntrinsics(target.Arn, ctx));
  const input = target.Input ? JSON.parse(target.Input) : {};

  // The scheduler assumes the schedule's role to call the target.
  const roleId = referencedLogicalId(target.RoleArn);
  const role = rolePolicies(template, resolve).find((r) => r.logicalId === roleId);
  if (!role) throw new Error(`schedule ${scheduleId} has no role in the template`);
  const fn = lambdaFunctions(template, resolve).find((f) => f.arn === targetArn);
  const sm = stateMachines(template, resolve).find((m) => m.arn === targetArn);
  const action = fn ? 'lambda:InvokeFunction' : 'states:StartExecution';
  const decision = await evaluateRequest(
    role.arn,
    role.policies,
    { action, resource: targetArn },
    resolve.region ?? 'us-east-1',
  );
  if (!decision.allowed)
    throw Object.assign(
      new Error(`${role.arn} is not authorized to perform: ${action} on resource: ${targetArn}`),
      {
        name: 'AccessDeniedException',
      },
    );

  if (sm) {
    const workflow = await runWorkflow({ template, stateMachine: sm.logicalId, input, resolve });
    return { schedule: scheduleId, result: workflow.output, workflow };
  }
  if (!fn)
    throw new Error(
      `schedule ${scheduleId} targets ${targetArn}, which is neither a local function nor a state machine`,
    );
  installMotoGapAdapters();
  const iam = localIamFor(template, resolve);
  const saved = { ...process.env };
  Object.assign(process.env, fn.environment);
  try {
    const module = (await import(pathToFileURL(fn.handlerPath).href)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const context = {
      functionName: fn.functionName,
      getRemainingTimeInMillis: () => fn.timeoutSeconds * 1000,
    };
    const result = await iam.runAs(fn, () => module.handler(input, context));
    return { schedule: scheduleId, result };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
