import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { allowStateTable } from '../iam/shared-grants';
import { storageNeedsOf } from '../iam/storage-needs';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import { WorkflowStateMachine } from '../workflow-state-machine';

export interface RegisterWorkflowProps {
  readonly core: PendulumCore;
}

/** Registers the app in the state table; the smallest workflow, and the first one run after deploy. */
export class RegisterWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RegisterWorkflowProps) {
    super(scope, id);
    const { core } = props;
    const register = core.newTask(this, 'RegisterAppFunction', {
      handlerModule: 'lambdas/handlers/register-app.ts',
    });
    allowStateTable(register.role, core.table, storageNeedsOf('register-app').table);
    const definition = lambdaTask(this, 'RegisterApp', register).next(new sfn.Succeed(this, 'Registered'));
    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: core.name('register'),
      definition,
      comment: `Registers ${core.plan.app} with Pendulum`,
    }).stateMachine;
  }
}
