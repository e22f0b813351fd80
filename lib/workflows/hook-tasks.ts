import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { TASK_ERROR_NAMES as E } from '../../lambdas/runtime/task-errors';
import { grant } from '../iam/grant';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';

export interface HookTasks {
  readonly pre: sfn.TaskStateBase;
  readonly post: sfn.TaskStateBase;
}

/**
 * The pre and post hook states of one workflow (`Failover` or `Failback`), sharing one function
 * that may read only the plan's webhook secrets and invoke only the plan's hook functions.
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
    timeout: Duration.minutes(5),
  });
  const phases =
    workflow === 'Failover'
      ? (['preFailover', 'postFailover'] as const)
      : (['preFailback', 'postFailback'] as const);
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
  const make = (phase: string, stateName: string) => {
    const state = lambdaTask(scope, stateName, fn, {
      payload: sfn.TaskInput.fromObject({
        phase,
        workflow: lower,
        'runId.$': '$.run.runId',
        'region.$': '$.run.targetRegion',
        'dryRun.$': skipPath,
      }),
      resultPath: `$.hookResults.${phase}`,
    });
    state.addRetry({ errors: [E.hookFailed], interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 2 });
    return state;
  };
  return { pre: make(phases[0], `Pre${workflow}Hooks`), post: make(phases[1], `Post${workflow}Hooks`) };
}
