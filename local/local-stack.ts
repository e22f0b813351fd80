/**
 * The Pendulum stack "deployed" into a local AWS: the stateful resources of the synthesized
 * template (state table, artifact bucket, topic) created in the emulator under the names the
 * template's Refs resolve to, and the stack's workflows run in-process against them.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Plan } from '../lambdas/plan/plan-schema';
import { resetDefaultAwsClients } from '../lambdas/runtime/aws-clients';
import { stackNameFor } from '../lib/pendulum-app';
import { synthesizeTemplate } from '../lib/synthesize-template';
import { type RunWorkflowOptions, runWorkflow, type WorkflowRunResult } from './local-workflow-runner';
import { type CfnTemplate, resolvePhysicalName } from './resolve-intrinsics';

export interface LocalStack {
  readonly plan: Plan;
  readonly template: CfnTemplate;
  readonly region: string;
  readonly stackName: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly topicArn?: string;
  /** Runs one of the stack's state machines (`failover`, `failback`, …) in-process. */
  run(workflow: string, input?: unknown, options?: Partial<RunWorkflowOptions>): Promise<WorkflowRunResult>;
}

function resourcesOfType(template: CfnTemplate, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, (r.Properties ?? {}) as Record<string, unknown>]);
}

/**
 * Creates what is missing and leaves what exists: running it twice, or against an emulator that
 * already holds a previous rehearsal, changes nothing.
 */
export async function deployLocalStack(plan: Plan): Promise<LocalStack> {
  const template = synthesizeTemplate(plan);
  const region = plan.recoveryRegion;
  const stackName = stackNameFor(plan);
  const ctx = { region, stackName, template };
  const dynamo = new DynamoDBClient({ region });
  const s3 = new S3Client({ region, forcePathStyle: true });
  const sns = new SNSClient({ region });

  let tableName = '';
  for (const [logicalId, props] of [
    ...resourcesOfType(template, 'AWS::DynamoDB::GlobalTable'),
    ...resourcesOfType(template, 'AWS::DynamoDB::Table'),
  ]) {
    tableName = resolvePhysicalName(logicalId, ctx);
    try {
      await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await dynamo.send(
        new CreateTableCommand({
          TableName: tableName,
          KeySchema: props.KeySchema as never,
          AttributeDefinitions: props.AttributeDefinitions as never,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
  }

  let bucketName = '';
  for (const [logicalId] of resourcesOfType(template, 'AWS::S3::Bucket')) {
    const name = resolvePhysicalName(logicalId, ctx);
    if (!/AccessLogs/.test(logicalId)) bucketName = name;
    try {
      await s3.send(new HeadBucketCommand({ Bucket: name }));
    } catch {
      await s3.send(
        new CreateBucketCommand({
          Bucket: name,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
  }

  let topicArn: string | undefined;
  for (const [logicalId] of resourcesOfType(template, 'AWS::SNS::Topic')) {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: resolvePhysicalName(logicalId, ctx) }),
    );
    topicArn = TopicArn;
  }

  return {
    plan,
    template,
    region,
    stackName,
    tableName,
    bucketName,
    topicArn,
    run: (workflow, input = {}, options = {}) =>
      runLocalWorkflow({ plan, template, region, stackName }, workflow, input, options),
  };
}

/** Runs in flight, so concurrent runs (two alarms at once) share the environment until the last ends. */
let runsInFlight = 0;
let savedEnvironment: { plan?: string; region?: string } = {};

/** Runs a state machine of the synthesized stack with the plan embedded as deployed functions have it. */
export async function runLocalWorkflow(
  stack: { plan: Plan; template: CfnTemplate; region: string; stackName: string },
  workflow: string,
  input: unknown,
  options: Partial<RunWorkflowOptions> = {},
): Promise<WorkflowRunResult> {
  if (runsInFlight++ === 0)
    savedEnvironment = { plan: process.env.PENDULUM_PLAN, region: process.env.AWS_REGION };
  process.env.PENDULUM_PLAN = JSON.stringify(stack.plan);
  // Deployed tasks run in the stack's region; their default clients (DynamoDB, S3, SNS) do too.
  process.env.AWS_REGION = stack.region;
  resetDefaultAwsClients();
  try {
    return await runWorkflow({
      template: stack.template,
      stateMachine: `pendulum-${stack.plan.app}-${workflow}`,
      input,
      resolve: { region: stack.region, stackName: stack.stackName, accountId: '123456789012' },
      ...options,
    });
  } finally {
    if (--runsInFlight === 0) {
      if (savedEnvironment.plan === undefined) delete process.env.PENDULUM_PLAN;
      else process.env.PENDULUM_PLAN = savedEnvironment.plan;
      if (savedEnvironment.region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = savedEnvironment.region;
      resetDefaultAwsClients();
    }
  }
}
