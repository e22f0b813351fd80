import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface WorkflowStateMachineProps {
  /** The state machine's name, e.g. `pendulum-shop-failover`; deterministic so operators and alarms find it. */
  readonly stateMachineName: string;
  readonly definition: sfn.IChainable;
  /**
   * Hard stop for one execution.
   * @default Duration.hours(12)
   */
  readonly timeout?: Duration;
  readonly comment?: string;
}

/** A Standard state machine that logs every event to its own group and traces with X-Ray. */
export class WorkflowStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(12),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: props.comment,
    });
    acknowledge(this.stateMachine, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'CloudWatch Logs delivery and X-Ray actions used by Step Functions support no resource-level permissions.',
    });
  }
}
