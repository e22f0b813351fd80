import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { HOOK_FUNCTION_TIMEOUT_SECONDS, phaseBudgetProblem } from '../../lambdas/hooks/hook-budget';
import type { FreezePhase } from '../../lambdas/hooks/hook-payload';
import type { Hook, Plan } from '../../lambdas/plan/plan-schema';
import { TASK_ERROR_NAMES as E } from '../../lambdas/runtime/task-errors';
import { grant } from '../iam/grant';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';

export interface HookTasks {
  readonly pre: sfn.TaskStateBase;
  /** The post hook state, and when no post hook must pass, the state its caught failures go through. */
  readonly post: sfn.Chain;
  /**
   * A state calling the preFailback hooks in a write-freeze phase (`freezeWrites`, `unfreezeWrites`)
   * for the region at `regionPath`, with the same function, retries and dry-run skip.
   */
  readonly freezeCall: (phase: FreezePhase, stateName: string, regionPath: string) => sfn.TaskStateBase;
}

/**
 * The pre and post hook states of one workflow (`Failover` or `Failback`), sharing one function
 * that may read only the plan's webhook secrets and invoke only the plan's hook functions.
 *
 * Time: the function's timeout is the one the plan's hook budget is derived from, and the plan is
 * checked against it again here. A HookFailedError is retried twice (after 5 s, then 10 s), each
 * retry a fresh invocation with its own full budget, so a pre phase waits at most about three
 * budgets before it gives up, and nothing was written by then.
 *
 * The post hooks run after DNS moved: unless a post hook must pass, any failure of that state
 * (even the function timing out) is caught and goes on to the record as a warning.
 */
export function hookTasks(
  scope: Construct,
  core: PendulumCore,
  workflow: 'Failover' | 'Failback',
  /** Where the state says hooks are not to be called (dry runs, drills). */
  skipPath = '$.run.dryRun',
): HookTasks {
  const fn = core.newTask(scope, `Run${workflow}HooksFunction`, {
    handlerModule: 'lambdas/handlers/run-hooks.ts',
    timeout: Duration.seconds(HOOK_FUNCTION_TIMEOUT_SECONDS),
  });
  const phases =
    workflow === 'Failover'
      ? (['preFailover', 'postFailover'] as const)
      : (['preFailback', 'postFailback'] as const);
  assertHooksFitTimeout(core.plan, phases);
  const hooks = phases.flatMap((phase) => core.plan.hooks[phase]);
  const secrets = [...new Set(hooks.flatMap((h) => ('webhook' in h ? [h.webhook.secretArn] : [])))];
  const functions = [...new Set(hooks.flatMap((h) => ('lambda' in h ? [h.lambda.functionArn] : [])))];
  if (secrets.length > 0) {
    // A full secret ARN ends in a dash and six random characters; a partial one needs them matched.
    const resources = secrets.map((arn) => (/-[A-Za-z0-9]{6}$/.test(arn) ? arn : `${arn}-??????`));
    grant(fn.role, {
      sid: 'ReadWebhookSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources,
      reason:
        'The plan names the secret by its partial ARN; ?????? matches only the random suffix Secrets Manager adds.',
    });
  }
  if (functions.length > 0)
    grant(fn.role, { sid: 'InvokeHookFunctions', actions: ['lambda:InvokeFunction'], resources: functions });
  const lower = workflow.toLowerCase();
  const make = (phase: string, stateName: string, regionPath = '$.run.targetRegion') => {
    const state = lambdaTask(scope, stateName, fn, {
      payload: sfn.TaskInput.fromObject({
        phase,
        workflow: lower,
        'runId.$': '$.run.runId',
        'region.$': regionPath,
        'dryRun.$': skipPath,
      }),
      resultPath: `$.hookResults.${phase}`,
    });
    state.addRetry({ errors: [E.hookFailed], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 2 });
    return state;
  };
  const pre = make(phases[0], `Pre${workflow}Hooks`);
  const post = make(phases[1], `Post${workflow}Hooks`);
  const freezeCall = (phase: FreezePhase, stateName: string, regionPath: string) =>
    make(phase, stateName, regionPath);
  if (core.plan.hooks[phases[1]].some(mustPass)) return { pre, post: sfn.Chain.start(post), freezeCall };
  const unfinished = new sfn.Pass(scope, `Post${workflow}HooksUnfinished`, {
    comment: 'DNS already moved and no post hook must pass: the failure is recorded as a warning.',
  });
  post.addCatch(unfinished, { errors: ['States.ALL'], resultPath: `$.hookResults.${phases[1]}` });
  return { pre, post: sfn.Chain.custom(post, [post, unfinished], unfinished), freezeCall };
}

function mustPass(hook: Hook): boolean {
  return ('webhook' in hook ? hook.webhook.mustPass : hook.lambda.mustPass) === true;
}

/** The plan is parsed with this check; a plan that reaches synth another way must not slip past it. */
function assertHooksFitTimeout(plan: Plan, phases: readonly (keyof Plan['hooks'])[]): void {
  for (const phase of phases) {
    const problem = phaseBudgetProblem(plan.hooks[phase]);
    if (problem) throw new Error(`hooks.${phase}: ${problem}`);
  }
}
