import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Plan } from '../lambdas/plan/plan-schema';
import { PendulumProtection } from './pendulum-protection';

export interface PendulumStackProps extends StackProps {
  readonly plan: Plan;
}

/**
 * Pendulum's control plane. It lives in the recovery region by default: when the primary region
 * is down, the thing that fails you over must not be down with it.
 */
export class PendulumStack extends Stack {
  readonly protection: PendulumProtection;

  constructor(scope: Construct, id: string, props: PendulumStackProps) {
    super(scope, id, props);
    this.protection = new PendulumProtection(this, 'Pendulum', { plan: props.plan });
    for (const [name, machine] of Object.entries(this.protection.workflows)) {
      new CfnOutput(this, `${name[0]?.toUpperCase()}${name.slice(1)}StateMachineArn`, {
        value: machine.stateMachineArn,
      });
    }
    new CfnOutput(this, 'StateTableName', { value: this.protection.core.table.tableName });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.protection.core.bucket.bucketName });
  }
}
