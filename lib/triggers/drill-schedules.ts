import { Duration, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { SchedulerRole } from './scheduler-role';

export interface DrillSchedulesProps {
  readonly plan: Plan;
  /**
   * The drill workflow (`pendulum-<app>-drill`).
   * @default none: no drill schedules are created
   */
  readonly stateMachine?: sfn.IStateMachine;
  /**
   * The group the schedules belong to.
   * @default the account's `default` schedule group
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;
  /**
   * How long a drill start may wait to be delivered before it is dropped.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
}

/**
 * One schedule per `drills.schedules[i]` that starts the drill workflow with `{ "mode": "drill" }`
 * at its cron, in its time zone. Nothing is created while the stack has no drill workflow.
 */
export class DrillSchedules extends Construct {
  readonly schedules: scheduler.Schedule[] = [];
  readonly role?: SchedulerRole['role'];

  constructor(scope: Construct, id: string, props: DrillSchedulesProps) {
    super(scope, id);
    const { plan, stateMachine } = props;
    if (!stateMachine || plan.drills.schedules.length === 0) return;
    this.role = new SchedulerRole(this, 'Role', {
      description: `Starts pendulum-${plan.app}-drill on the plan's drill schedules`,
    }).role;
    plan.drills.schedules.forEach((drill, index) => {
      this.schedules.push(
        new scheduler.Schedule(this, `Drill${index}`, {
          description: `Pendulum ${plan.app}: drill ${drill.cron} ${drill.timezone}`,
          schedule: scheduler.ScheduleExpression.expression(drill.cron, TimeZone.of(drill.timezone)),
          scheduleGroup: props.scheduleGroup,
          target: new targets.StepFunctionsStartExecution(stateMachine, {
            role: this.role,
            input: scheduler.ScheduleTargetInput.fromObject({ mode: 'drill' }),
            maxEventAge: props.maxEventAge ?? Duration.hours(1),
            retryAttempts: 5,
          }),
        }),
      );
    });
  }
}
