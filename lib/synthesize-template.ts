import type { Plan } from '../lambdas/plan/plan-schema';
import { createPendulumApp, stackNameFor } from './pendulum-app';

export type CfnTemplate = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
} & Record<string, unknown>;

const cache = new Map<string, CfnTemplate>();

/**
 * The CloudFormation template `cdk synth` produces for a plan, synthesized in-process without
 * bundling the Lambda code (the local runner executes the handlers from source). cdk-nag runs
 * as on every synth, so an unacknowledged finding fails here too.
 */
export function synthesizeTemplate(plan: Plan): CfnTemplate {
  const key = JSON.stringify(plan);
  const cached = cache.get(key);
  if (cached) return cached;
  const { app } = createPendulumApp({
    plan,
    bundle: false,
    env: { account: '123456789012', region: plan.recoveryRegion },
  });
  const assembly = app.synth();
  const template = assembly.getStackByName(stackNameFor(plan)).template as CfnTemplate;
  cache.set(key, template);
  return template;
}
