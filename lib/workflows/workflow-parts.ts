import type { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { allowArtifacts, allowStateTable } from '../iam/shared-grants';
import { storageNeedsOf } from '../iam/storage-needs';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import type { TaskFunction } from '../task-function';

/**
 * What every run workflow (failover, failback) is built from: task functions that may use the
 * state table and the artifact bucket plus their own grants, a rejection state for refusals
 * before the lock, and the first state that hands the task the input and the execution.
 */
export type TaskFactory = (
  name: string,
  module: string,
  grant: (fn: TaskFunction) => void,
  timeout?: Duration,
) => TaskFunction;

export function taskFactory(scope: Construct, core: PendulumCore): TaskFactory {
  return (name, module, grant, timeout) => {
    const fn = core.newTask(scope, `${name}Function`, {
      handlerModule: `lambdas/handlers/${module}.ts`,
      timeout,
    });
    const needs = storageNeedsOf(module);
    allowStateTable(fn.role, core.table, needs.table);
    allowArtifacts(fn.role, core.bucket, needs.bucket);
    grant(fn);
    return fn;
  };
}

/** A refusal before the lock: the error and cause of the task that refused, and nothing written. */
export function rejectionState(scope: Construct, id: string, comment: string): sfn.Fail {
  return new sfn.Fail(scope, id, { errorPath: '$.rejection.Error', causePath: '$.rejection.Cause', comment });
}

/** The first state: the raw input and the execution's name and start, into `$.run`. */
export function prepareState(
  scope: Construct,
  stateName: string,
  fn: TaskFunction,
  rejected: sfn.Fail,
  errors: string[],
) {
  const prepare = lambdaTask(scope, stateName, fn, {
    payload: sfn.TaskInput.fromObject({
      'input.$': '$',
      execution: { 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime' },
    }),
    resultPath: '$.run',
  });
  prepare.addCatch(rejected, { errors, resultPath: '$.rejection' });
  return prepare;
}

/**
 * The long waits of failback (bringing home, retiring) are explicit poll loops: the task advances
 * what it can, says whether it is done and when to look again (`pollSeconds`, growing with the
 * wait), and throws ReadyTimeoutError naming what is pending once the plan's cap is exceeded.
 * Their length is the plan's cap, not an accident of Retry backoff arithmetic, and history grows
 * with polls, not resources.
 */
export function pollUntil(
  scope: Construct,
  check: sfn.TaskStateBase,
  done: { id: string; condition: sfn.Condition; next: sfn.IChainable; waitId: string; pollPath: string },
): sfn.Choice {
  const wait = new sfn.Wait(scope, done.waitId, { time: sfn.WaitTime.secondsPath(done.pollPath) });
  const choice = new sfn.Choice(scope, done.id).when(done.condition, done.next).otherwise(wait.next(check));
  return choice;
}
