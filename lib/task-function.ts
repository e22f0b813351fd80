import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Plan } from '../lambdas/plan/plan-schema';
import { acknowledge } from './acknowledge';

/** The repository root: handler paths in metadata are relative to it, so the local runner finds them. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Metadata key that names a function's handler module for the local workflow runner. */
export const HANDLER_METADATA_KEY = 'pendulum:handler';

export interface TaskFunctionProps {
  /** Handler module, relative to the repository root, e.g. `lambdas/handlers/snapshot-dns.ts`. */
  readonly handlerModule: string;
  /** The plan, embedded in the bundle at synth time. */
  readonly plan: Plan;
  /** Environment shared by every task (state table, bucket, topic). */
  readonly environment: Record<string, string>;
  /**
   * Longest a single invocation may run; tasks that wait poll from the state machine instead.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * One Lambda task: bundled with esbuild, traced, logging to its own group, with a role that starts
 * empty so each workflow grants exactly what its tasks touch.
 */
export class TaskFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Pendulum task ${props.handlerModule}`,
    });
    logGroup.grantWrite(this.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${props.handlerModule}`,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `pendulum-${props.plan.app}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Pendulum',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        // Lambda environment variables are capped at 4 KB; a plan is not, so it rides in the bundle.
        define: { 'process.env.PENDULUM_PLAN': JSON.stringify(JSON.stringify(props.plan)) },
        externalModules: ['@aws-sdk/*'],
      },
    });
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata(
      HANDLER_METADATA_KEY,
      props.handlerModule,
    );
    // Only the policy CDK wrote for tracing and logs: a wildcard granted elsewhere is not silenced.
    const defaultPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy)
      acknowledge(defaultPolicy, {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
      });
  }
}
