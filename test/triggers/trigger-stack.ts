/**
 * A small stack for template tests of the triggers: the real PendulumCore, stand-in state machines
 * named like the real ones, and PendulumTriggers, checked by cdk-nag's AwsSolutions pack.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { acknowledge } from '../../lib/acknowledge';
import { PendulumCore } from '../../lib/pendulum-core';
import { PendulumTriggers } from '../../lib/triggers/pendulum-triggers';

export const ACCOUNT = '123456789012';

export function triggerStack(plan: Plan, options: { drill?: boolean } = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Triggers', { env: { account: ACCOUNT, region: plan.recoveryRegion } });
  const core = new PendulumCore(stack, 'Core', { plan });
  const machine = (what: string) => {
    const stateMachine = new sfn.StateMachine(stack, `StandIn-${what}`, {
      stateMachineName: core.name(what),
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `Pass-${what}`)),
    });
    // The stand-ins are not what is under test; the real workflows log and trace.
    acknowledge(stateMachine, { id: 'AwsSolutions::AwsSolutions-SF1', reason: 'Test stand-in.' });
    acknowledge(stateMachine, { id: 'AwsSolutions::AwsSolutions-SF2', reason: 'Test stand-in.' });
    return stateMachine;
  };
  const workflows = {
    protect: machine('protect'),
    failover: machine('failover'),
    failback: machine('failback'),
    ...(options.drill ? { drill: machine('drill') } : {}),
  };
  const triggers = new PendulumTriggers(stack, 'Triggers', { core, workflows });
  return { app, stack, core, workflows, triggers };
}
