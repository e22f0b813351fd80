/**
 * The harness against what CDK really synthesizes: LambdaInvoke (with its default Lambda.* retrier),
 * Parallel, Map with an ItemProcessor, Wait and Choice, all resolved from the stack's template.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../../local/aws-environment';
import { cfnLint, formatFindings } from '../../local/cfn-lint';
import { runWorkflow } from '../../local/local-workflow-runner';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { type CfnTemplate, resolvePhysicalName } from '../../local/resolve-intrinsics';
import { lambdaFunctions, stateMachines } from '../../local/synthesized-app';

function synthesize(): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'HarnessStack', { env: { region: 'us-east-1', account: '123456789012' } });
  const table = new dynamodb.Table(stack, 'Items', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  });
  const fn = new lambda.Function(stack, 'PutItem', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(10),
    environment: { TABLE_NAME: table.tableName },
  });
  (fn.node.defaultChild as lambda.CfnFunction).addMetadata(
    'pendulum:handler',
    'test/local/fixtures/put-item-handler.ts',
  );
  table.grantWriteData(fn);

  const write = (id: string, payload: sfn.TaskInput) =>
    new tasks.LambdaInvoke(stack, id, {
      lambdaFunction: fn,
      payload,
      resultSelector: { 'written.$': '$.Payload.written' },
    });
  const both = new sfn.Parallel(stack, 'Both')
    .branch(write('WriteLeft', sfn.TaskInput.fromObject({ 'id.$': "States.Format('{}-left', $.id)" })))
    .branch(write('WriteRight', sfn.TaskInput.fromObject({ 'id.$': "States.Format('{}-right', $.id)" })));
  const each = new sfn.Map(stack, 'EachItem', { itemsPath: '$.items', resultPath: '$.mapped' });
  each.itemProcessor(write('WriteEach', sfn.TaskInput.fromObject({ 'id.$': '$' })));
  const definition = new sfn.Wait(stack, 'Settle', { time: sfn.WaitTime.duration(Duration.minutes(5)) })
    .next(new sfn.Pass(stack, 'Prepare', { parameters: { 'id.$': '$.id', items: ['m1', 'm2', 'm3'] } }))
    .next(each)
    .next(
      new sfn.Choice(stack, 'HowMany')
        .when(sfn.Condition.isPresent('$.mapped[2]'), both.next(new sfn.Succeed(stack, 'Done')))
        .otherwise(new sfn.Fail(stack, 'TooFew', { error: 'TooFew', cause: 'fewer than 3 items' })),
    );
  new sfn.StateMachine(stack, 'Failover', { definitionBody: sfn.DefinitionBody.fromChainable(definition) });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

describe('runner on a CDK-synthesized stack', () => {
  let moto: MotoServer;
  let restoreEnv: () => void;
  let template: CfnTemplate;

  beforeAll(async () => {
    template = synthesize();
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint);
  }, 60_000);

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  it('finds the state machine by its construct name and the function by its metadata', () => {
    expect(stateMachines(template).map((sm) => sm.name)).toEqual(['Failover']);
    expect(lambdaFunctions(template).map((fn) => fn.handlerModule)).toEqual([
      'test/local/fixtures/put-item-handler.ts',
    ]);
  });

  it('runs Wait, Pass, Map, Choice and Parallel with real handler calls against moto', async () => {
    const itemsLogicalId = Object.keys(template.Resources ?? {}).find((id) =>
      id.startsWith('Items'),
    ) as string;
    const tableName = resolvePhysicalName(itemsLogicalId, { template });
    await new DynamoDBClient({}).send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    const seen: string[] = [];
    const result = await runWorkflow({
      template,
      stateMachine: 'Failover',
      input: { id: 'run1' },
      onEvent: (event) => {
        if (event.type === 'StateEntered') seen.push(event.state.name);
      },
    });
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.output).toEqual([{ written: 'run1-left' }, { written: 'run1-right' }]);
    expect(seen).toEqual(
      expect.arrayContaining([
        'Settle',
        'Prepare',
        'EachItem',
        'WriteEach',
        'HowMany',
        'Both',
        'WriteLeft',
        'WriteRight',
        'Done',
      ]),
    );
    expect(result.taskInvocations).toHaveLength(5);
    const scan = await new DynamoDBClient({}).send(new ScanCommand({ TableName: tableName }));
    expect(scan.Items?.map((item) => item.pk?.S).sort()).toEqual([
      'm1',
      'm2',
      'm3',
      'run1-left',
      'run1-right',
    ]);
  });

  it('cfn-lint finds no errors in the synthesized template', async () => {
    const { errors } = await cfnLint(template);
    expect(errors, formatFindings(errors)).toEqual([]);
  }, 60_000);
});
