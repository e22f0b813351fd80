import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Plan } from '../lambdas/plan/plan-schema';
import { PendulumStack } from './pendulum-stack';

export interface PendulumAppProps {
  readonly plan: Plan;
  /**
   * Bundle the Lambda code with esbuild. Tests and the local runner skip it: they run the
   * handlers in-process from source and only need the template.
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * Cloud assembly directory.
   * @default CDK's default (cdk.out, or a temp dir outside the CLI)
   */
  readonly outdir?: string;
  /**
   * Account and region to deploy to.
   * @default the plan's recovery region, account from the environment
   */
  readonly env?: { account?: string; region?: string };
}

export function stackNameFor(plan: Plan): string {
  return `Pendulum-${plan.app}`;
}

/** The CDK app: one stack per plan, checked by cdk-nag's AwsSolutions pack on every synth. */
export function createPendulumApp(props: PendulumAppProps): { app: App; stack: PendulumStack } {
  const app = new App({
    outdir: props.outdir,
    context: props.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {},
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new PendulumStack(app, stackNameFor(props.plan), {
    plan: props.plan,
    env: {
      account: props.env?.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: props.env?.region ?? props.plan.recoveryRegion,
    },
    description: `Pendulum cross-region failover and failback for ${props.plan.app}`,
  });
  return { app, stack };
}
