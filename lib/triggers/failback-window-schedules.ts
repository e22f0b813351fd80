import { Duration, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { durationSeconds } from '../../lambdas/plan/duration';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { scheduledWindowInput } from '../../lambdas/rpo/failback-window';
import { clampEventAge } from './schedule-retry';
import { SchedulerRole } from './scheduler-role';

export interface FailbackWindowSchedulesProps {
  readonly plan: Plan;
  /** The failback workflow. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The group the schedules belong to.
   * @default the account's `default` schedule group
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;
}

/**
 * One schedule per `failback.windows[i]`: at the window's cron, in its time zone, the failback
 * workflow starts with
 * `{ "window": { "scheduledTime": "<aws.scheduler.scheduled-time>", "duration": "<duration>" } }`.
 * The workflow works out the window's end with `windowEndFrom` (lambdas/rpo/failback-window.ts)
 * and refuses work that would overrun it. A start not delivered while the window is open is dropped.
 */
export class FailbackWindowSchedules extends Construct {
  readonly schedules: scheduler.Schedule[] = [];
  readonly role?: SchedulerRole['role'];

  constructor(scope: Construct, id: string, props: FailbackWindowSchedulesProps) {
    super(scope, id);
    const { plan, stateMachine } = props;
    if (plan.failback.windows.length === 0) return;
    this.role = new SchedulerRole(this, 'Role', {
      description: `Starts pendulum-${plan.app}-failback when a failback window opens`,
    }).role;
    plan.failback.windows.forEach((window, index) => {
      this.schedules.push(
        new scheduler.Schedule(this, `Window${index}`, {
          description: `Pendulum ${plan.app}: failback window ${window.cron} ${window.timezone}, ${window.duration}`,
          schedule: scheduler.ScheduleExpression.expression(window.cron, TimeZone.of(window.timezone)),
          scheduleGroup: props.scheduleGroup,
          target: new targets.StepFunctionsStartExecution(stateMachine, {
            role: this.role,
            input: scheduler.ScheduleTargetInput.fromObject(scheduledWindowInput(window.duration)),
            maxEventAge: clampEventAge(Duration.seconds(durationSeconds(window.duration))),
            retryAttempts: 5,
          }),
        }),
      );
    });
  }
}
