import { RemovalPolicy } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { PendulumCore } from '../pendulum-core';
import { AlarmTrigger } from './alarm-trigger';
import { DrDashboard } from './dr-dashboard';
import { DrillSchedules } from './drill-schedules';
import { FailbackWindowSchedules } from './failback-window-schedules';
import { ProtectionSchedules } from './protection-schedules';
import { RpoMonitoring } from './rpo-monitoring';

/** The workflows the triggers start. */
export interface TriggerWorkflows {
  readonly protect: sfn.IStateMachine;
  readonly failover: sfn.IStateMachine;
  readonly failback: sfn.IStateMachine;
  /**
   * The drill workflow.
   * @default none: the plan's drill schedules are not created
   */
  readonly drill?: sfn.IStateMachine;
}

/**
 * The trigger workflows out of a name → state machine map such as `PendulumProtection.workflows`.
 * @throws Error naming the workflow that is missing (protect, failover and failback are required)
 */
export function triggerWorkflows(
  workflows: Readonly<Record<string, sfn.IStateMachine | undefined>>,
): TriggerWorkflows {
  const required = (name: 'protect' | 'failover' | 'failback') => {
    const machine = workflows[name];
    if (!machine)
      throw new Error(
        `PendulumTriggers needs the ${name} workflow; got ${Object.keys(workflows).join(', ')}`,
      );
    return machine;
  };
  const { drill } = workflows;
  return {
    protect: required('protect'),
    failover: required('failover'),
    failback: required('failback'),
    ...(drill ? { drill } : {}),
  };
}

export interface PendulumTriggersProps {
  readonly core: PendulumCore;
  readonly workflows: TriggerWorkflows;
}

/**
 * Everything that starts Pendulum's workflows without an operator, and watches that it can:
 * continuous protection per tier, failback windows, drills, alarm-triggered failover, RPO age
 * monitoring with an alarm per tier, and the DR dashboard. The schedules share one schedule
 * group, `pendulum-<app>-schedules`, so
 * `aws scheduler list-schedules --group-name pendulum-<app>-schedules` lists them.
 */
export class PendulumTriggers extends Construct {
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly protection: ProtectionSchedules;
  readonly failbackWindows: FailbackWindowSchedules;
  readonly drills: DrillSchedules;
  readonly alarmTrigger: AlarmTrigger;
  readonly rpoMonitoring: RpoMonitoring;
  readonly dashboard: DrDashboard;

  constructor(scope: Construct, id: string, props: PendulumTriggersProps) {
    super(scope, id);
    const { core, workflows } = props;
    const { plan } = core;
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'Schedules', {
      scheduleGroupName: core.scheduleGroupName,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const scheduleGroup = this.scheduleGroup;

    this.protection = new ProtectionSchedules(this, 'Protection', {
      plan,
      stateMachine: workflows.protect,
      scheduleGroup,
    });
    this.failbackWindows = new FailbackWindowSchedules(this, 'FailbackWindows', {
      plan,
      stateMachine: workflows.failback,
      scheduleGroup,
    });
    this.drills = new DrillSchedules(this, 'Drills', { plan, stateMachine: workflows.drill, scheduleGroup });
    this.alarmTrigger = new AlarmTrigger(this, 'AlarmTrigger', { plan, stateMachine: workflows.failover });
    this.rpoMonitoring = new RpoMonitoring(this, 'RpoMonitoring', { core, scheduleGroup });
    this.dashboard = new DrDashboard(this, 'Dashboard', {
      plan,
      workflows: {
        protect: workflows.protect,
        failover: workflows.failover,
        failback: workflows.failback,
        drill: workflows.drill,
      },
      alarms: Object.values(this.rpoMonitoring.alarms),
      rpoPeriod: this.rpoMonitoring.period,
    });
  }
}
