import { Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import type { TaskFunction } from './task-function';

export interface LambdaTaskProps {
  /**
   * What the function receives.
   * @default the whole state input
   */
  readonly payload?: sfn.TaskInput;
  /**
   * Where the function's result goes in the state.
   * @default '$' (the result replaces the state)
   */
  readonly resultPath?: string | typeof sfn.JsonPath.DISCARD;
  readonly comment?: string;
}

/**
 * A Lambda Task whose result is exactly what the handler returned: the state names the function
 * directly (no `lambda:invoke` envelope to unwrap), with CDK's retries for Lambda service errors.
 */
export function lambdaTask(
  scope: Construct,
  stateName: string,
  task: TaskFunction,
  props: LambdaTaskProps = {},
) {
  const logicalId = Stack.of(task).resolve((task.function.node.defaultChild as lambda.CfnFunction).logicalId);
  acknowledge(scope, {
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
    reason: 'The state machine may invoke any version or alias of its own task function; nothing else.',
  });
  const invoke = new tasks.LambdaInvoke(scope, stateName, {
    lambdaFunction: task.function,
    payload: props.payload,
    payloadResponseOnly: true,
    resultPath: props.resultPath,
    comment: props.comment,
    retryOnServiceExceptions: true,
    taskTimeout: sfn.Timeout.duration(task.function.timeout ?? Duration.minutes(5)),
  });
  // AWS throttling and brief service faults surface as these error types from the SDK.
  invoke.addRetry({
    errors: TRANSIENT_AWS_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 5,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return invoke;
}

export const TRANSIENT_AWS_ERRORS = [
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'InternalError',
  'InternalFailure',
];
