import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface SchedulerRoleProps {
  /** What the schedules using this role do, for the console. */
  readonly description: string;
}

/**
 * The role a set of EventBridge Scheduler schedules assumes to call their target. It starts empty:
 * the schedule target grants exactly its own action (e.g. `states:StartExecution` on one state
 * machine). Only Scheduler acting for this account may assume it.
 */
export class SchedulerRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SchedulerRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: props.description,
    });
  }
}
