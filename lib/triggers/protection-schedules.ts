import { Duration } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { protectionIntervalMinutes, rateExpression } from '../../lambdas/rpo/protection-rate';
import { clampEventAge } from './schedule-retry';
import { SchedulerRole } from './scheduler-role';

export interface ProtectionSchedulesProps {
  readonly plan: Plan;
  /** The protect workflow; each tier's schedule starts it with `{ "tiers": ["<tier>"] }`. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * The group the schedules belong to.
   * @default the account's `default` schedule group
   */
  readonly scheduleGroup?: scheduler.IScheduleGroup;
  /**
   * Whether the schedules run. Turn them off to pause continuous protection without a redeploy of the plan.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Continuous protection: one schedule per tier that starts the protect workflow for that tier, at
 * the rate `protectionIntervalMinutes` derives from the tier (its `protectEvery`, else a quarter
 * of its RPO, at least 5 minutes). A start that cannot be delivered before the next one is due is
 * dropped: the next run protects the tier anyway.
 */
export class ProtectionSchedules extends Construct {
  /** Tier name → its schedule. */
  readonly schedules: Record<string, scheduler.Schedule> = {};
  readonly role: SchedulerRole['role'];

  constructor(scope: Construct, id: string, props: ProtectionSchedulesProps) {
    super(scope, id);
    const { plan, stateMachine } = props;
    this.role = new SchedulerRole(this, 'Role', {
      description: `Starts pendulum-${plan.app}-protect for each tier on its protection schedule`,
    }).role;
    for (const tier of plan.tiers) {
      const minutes = protectionIntervalMinutes(tier);
      this.schedules[tier.name] = new scheduler.Schedule(this, `Tier-${tier.name}`, {
        description: `Pendulum ${plan.app}: protect tier ${tier.name} every ${minutes} min (RPO ${tier.rpo})`,
        schedule: scheduler.ScheduleExpression.expression(rateExpression(minutes)),
        scheduleGroup: props.scheduleGroup,
        enabled: props.enabled ?? true,
        target: new targets.StepFunctionsStartExecution(stateMachine, {
          role: this.role,
          input: scheduler.ScheduleTargetInput.fromObject({ tiers: [tier.name] }),
          maxEventAge: clampEventAge(Duration.minutes(minutes)),
          retryAttempts: 5,
        }),
      });
    }
  }
}
