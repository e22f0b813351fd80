import { Annotations, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { acknowledge } from '../acknowledge';

export interface AlarmTriggerProps {
  readonly plan: Plan;
  /** The failover workflow the alarms start. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The region of `triggers.compositeAlarm` (the plan names it without one; it lives in this account).
   * @default the plan's primary region
   */
  readonly compositeAlarmRegion?: string;
  /**
   * How often a start the failover workflow refused (e.g. throttled) is retried.
   * @default 8
   */
  readonly retryAttempts?: number;
  /**
   * How long an alarm's start is retried before it goes to the dead-letter queue.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
}

/** The CloudWatch alarm event fields the failover workflow receives as its `trigger`. */
export const ALARM_TRIGGER_INPUT = {
  trigger: {
    type: 'alarm',
    alarmName: events.EventField.fromPath('$.detail.alarmName'),
    alarmArn: events.EventField.fromPath('$.resources[0]'),
    reason: events.EventField.fromPath('$.detail.state.reason'),
    time: events.EventField.fromPath('$.time'),
  },
};

/** The ARNs whose state changes trigger failover: the plan's alarms and its composite alarm. */
export function triggerAlarmArns(plan: Plan, scope: Construct, compositeAlarmRegion?: string): string[] {
  const arns = [...plan.triggers.alarms];
  const composite = plan.triggers.compositeAlarm;
  if (composite !== undefined) {
    const stack = Stack.of(scope);
    arns.push(
      stack.formatArn({
        service: 'cloudwatch',
        region: compositeAlarmRegion ?? plan.primaryRegion,
        resource: 'alarm',
        resourceName: composite,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
  }
  return [...new Set(arns)];
}

/**
 * Alarm-triggered failover: an EventBridge rule that matches the plan's alarms (and its composite
 * alarm) going into ALARM and starts the failover workflow with
 * `{ "trigger": { "type": "alarm", "alarmName", "alarmArn", "reason", "time" } }`. Whether that
 * start fails over at once or waits for approval, confirmation and cooldown is the workflow's
 * business (`triggers.mode` and friends). Starts that cannot be delivered are retried, then kept
 * in an encrypted dead-letter queue. No rule is created when the plan names no alarms.
 *
 * A rule only sees the state changes of alarms in its own region. Alarms in another region (the
 * primary, typically) need their "CloudWatch Alarm State Change" events forwarded to this
 * region's default event bus; forwarded events keep their source, resources and detail, so this
 * rule matches them unchanged.
 */
export class AlarmTrigger extends Construct {
  readonly rule?: events.Rule;
  readonly deadLetterQueue?: sqs.Queue;
  readonly role?: iam.Role;

  constructor(scope: Construct, id: string, props: AlarmTriggerProps) {
    super(scope, id);
    const { plan, stateMachine } = props;
    const alarmArns = triggerAlarmArns(plan, this, props.compositeAlarmRegion);
    if (alarmArns.length === 0) return;

    const stack = Stack.of(this);
    const regions = [...new Set(alarmArns.map((arn) => arn.split(':')[3] ?? ''))];
    const elsewhere = Token.isUnresolved(stack.region)
      ? []
      : regions.filter((region) => region !== '' && !Token.isUnresolved(region) && region !== stack.region);
    if (elsewhere.length > 0)
      Annotations.of(this).addWarningV2(
        'pendulum:alarm-region',
        `Trigger alarms in ${elsewhere.join(', ')} reach this rule in ${stack.region} only if their "CloudWatch Alarm State Change" events are forwarded to ${stack.region}'s default event bus.`,
      );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, {
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason:
        "This queue is the dead-letter queue of the alarm rule's failover target; EventBridge dead-letter queues are named in the rule, not in a queue's redrive policy.",
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Starts pendulum-${plan.app}-failover when a trigger alarm goes into ALARM`,
    });

    this.rule = new events.Rule(this, 'Rule', {
      description: `Pendulum ${plan.app}: start failover when a trigger alarm goes into ALARM`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: alarmArns,
        detail: { state: { value: ['ALARM'] } },
      },
    });
    this.rule.addTarget(
      new eventsTargets.SfnStateMachine(stateMachine, {
        role: this.role,
        input: events.RuleTargetInput.fromObject(ALARM_TRIGGER_INPUT),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: props.retryAttempts ?? 8,
        maxEventAge: props.maxEventAge ?? Duration.hours(1),
      }),
    );
  }
}
