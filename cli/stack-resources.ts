/**
 * Where the deployed stack keeps its state: the state table and the artifact bucket, in the
 * recovery region. Deployed, they come from the stack's outputs (CloudFormation DescribeStacks);
 * locally, from the stack "deployed" into the local AWS.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Plan } from '../lambdas/plan/plan-schema';
import { quietLocalHandlers, requireLocalEndpoint } from './workflow-client';

export interface StackResources {
  readonly mode: 'local' | 'deployed';
  readonly region: string;
  readonly stackName: string;
  readonly tableName: string;
  readonly bucketName: string;
}

export class StackNotFoundError extends Error {
  override readonly name = 'StackNotFoundError';
}

export async function stackResources(plan: Plan, options: { local?: boolean }): Promise<StackResources> {
  const region = plan.recoveryRegion;
  if (options.local) {
    requireLocalEndpoint();
    quietLocalHandlers();
    const { deployLocalStack } = await import('../local/local-stack');
    const stack = await deployLocalStack(plan);
    return {
      mode: 'local',
      region,
      stackName: stack.stackName,
      tableName: stack.tableName,
      bucketName: stack.bucketName,
    };
  }
  const { stackNameFor } = await import('../lib/pendulum-app');
  const stackName = stackNameFor(plan);
  const cfn = new CloudFormationClient({ region });
  let outputs: Record<string, string>;
  try {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries(
      (Stacks[0]?.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    );
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message))
      throw new StackNotFoundError(`no stack ${stackName} in ${region}; deploy it first (npx cdk deploy)`);
    throw error;
  }
  const tableName = outputs.StateTableName;
  const bucketName = outputs.ArtifactBucketName;
  if (!tableName || !bucketName)
    throw new StackNotFoundError(
      `stack ${stackName} in ${region} has no StateTableName or ArtifactBucketName output; is it a Pendulum stack, fully deployed?`,
    );
  return { mode: 'deployed', region, stackName, tableName, bucketName };
}

export function documentClient(region: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function s3Client(region: string): S3Client {
  return new S3Client({ region, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
}
