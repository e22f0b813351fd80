import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Plan } from '../lambdas/plan/plan-schema';
import { PendulumCore } from './pendulum-core';
import { PendulumTriggers, triggerWorkflows } from './triggers/pendulum-triggers';
import { FailbackWorkflow } from './workflows/failback-workflow';
import { FailoverWorkflow } from './workflows/failover-workflow';
import { ProtectWorkflow } from './workflows/protect-workflow';
import { RegisterWorkflow } from './workflows/register-workflow';

export interface PendulumProtectionProps {
  /** The parsed protection plan (see `loadPlanFile`). */
  readonly plan: Plan;
}

/**
 * Cross-region disaster recovery for one application, as a construct a team can drop into its
 * own CDK app: `new PendulumProtection(this, 'Dr', { plan })`.
 */
export class PendulumProtection extends Construct {
  readonly core: PendulumCore;
  readonly workflows: Record<string, sfn.StateMachine>;

  constructor(scope: Construct, id: string, props: PendulumProtectionProps) {
    super(scope, id);
    this.core = new PendulumCore(this, 'Core', { plan: props.plan });
    const failback = new FailbackWorkflow(this, 'Failback', { core: this.core });
    this.workflows = {
      register: new RegisterWorkflow(this, 'Register', { core: this.core }).stateMachine,
      failover: new FailoverWorkflow(this, 'Failover', { core: this.core }).stateMachine,
      failback: failback.stateMachine,
      retirement: failback.retirement.stateMachine,
      protect: new ProtectWorkflow(this, 'Protect', { core: this.core }).stateMachine,
    };
    new PendulumTriggers(this, 'Triggers', {
      core: this.core,
      // A drill is the failover workflow started with { "mode": "drill" }.
      workflows: triggerWorkflows({ ...this.workflows, drill: this.workflows.failover }),
    });
  }
}
