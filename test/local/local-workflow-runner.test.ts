import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useLocalAws } from '../../local/aws-environment';
import { runWorkflow } from '../../local/local-workflow-runner';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { type CfnTemplate, resolvePhysicalName } from '../../local/resolve-intrinsics';
import { lambdaFunctions, stateMachines } from '../../local/synthesized-app';

const HANDLER = 'test/local/fixtures/put-item-handler.ts';

/** The shape CDK synthesizes: DefinitionString as Fn::Join around the function's Fn::GetAtt Arn. */
function definitionString(
  states: Record<string, unknown>,
  startAt: string,
  top: Record<string, unknown> = {},
) {
  const json = JSON.stringify({ ...top, StartAt: startAt, States: states });
  const parts = json
    .split(/(__PARTITION__|__FN1_ARN__)/)
    .map((part) =>
      part === '__PARTITION__'
        ? { Ref: 'AWS::Partition' }
        : part === '__FN1_ARN__'
          ? { 'Fn::GetAtt': ['Fn1', 'Arn'] }
          : part,
    );
  return { 'Fn::Join': ['', parts] };
}

function templateWith(
  states: Record<string, unknown>,
  startAt = 'Write',
  top: Record<string, unknown> = {},
): CfnTemplate {
  return {
    Resources: {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        },
      },
      Fn1Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Fn1Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'Fn1Policy',
          Roles: [{ Ref: 'Fn1Role' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } },
            ],
          },
        },
      },
      Fn1: {
        Type: 'AWS::Lambda::Function',
        Metadata: { 'pendulum:handler': HANDLER },
        Properties: {
          Role: { 'Fn::GetAtt': ['Fn1Role', 'Arn'] },
          Runtime: 'nodejs24.x',
          Handler: 'index.handler',
          Environment: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
            Variables: { TABLE_NAME: { Ref: 'Table' }, FIXTURE_MARKER: { 'Fn::Sub': '${AWS::Region}' } },
          },
        },
      },
      WorkflowRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyName: 'invoke',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 'lambda:InvokeFunction',
                    Resource: { 'Fn::GetAtt': ['Fn1', 'Arn'] },
                  },
                ],
              },
            },
          ],
        },
      },
      Workflow: {
        Type: 'AWS::StepFunctions::StateMachine',
        Metadata: { 'aws:cdk:path': 'TestStack/Workflow/Resource' },
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['WorkflowRole', 'Arn'] },
          DefinitionString: definitionString(states, startAt, top),
        },
      },
    },
  };
}

const writeTask = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:__PARTITION__:states:::lambda:invoke',
  Parameters: { FunctionName: '__FN1_ARN__', 'Payload.$': '$' },
  OutputPath: '$.Payload',
  ...extra,
});

const plainTemplate = templateWith({ Write: writeTask({ End: true }) });

describe('local workflow runner', () => {
  let moto: MotoServer;
  let restoreEnv: () => void;
  const tableName = resolvePhysicalName('Table', { template: plainTemplate });

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint);
  }, 30_000);

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    await new DynamoDBClient({}).send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
  });

  it('reads state machines and handler functions out of the template', () => {
    const [sm] = stateMachines(plainTemplate);
    expect(sm?.name).toBe('Workflow');
    expect(sm?.definition.States.Write?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(
      (sm?.definition.States.Write?.Parameters as { FunctionName?: string } | undefined)?.FunctionName,
    ).toBe('arn:aws:lambda:us-east-1:123456789012:function:Fn1');
    expect(lambdaFunctions(plainTemplate)).toEqual([
      expect.objectContaining({
        logicalId: 'Fn1',
        handlerModule: HANDLER,
        environment: { TABLE_NAME: tableName, FIXTURE_MARKER: 'us-east-1' },
      }),
    ]);
  });

  it('runs each task as its role: a call the role does not allow fails as AWS fails it and writes nothing', async () => {
    // Prepare: the function's role may not write the table; the state machine catches AWS's error
    const denied = templateWith({
      Write: writeTask({ Catch: [{ ErrorEquals: ['AccessDeniedException'], Next: 'Denied' }], End: true }),
      Denied: { Type: 'Pass', Result: 'denied', End: true },
    });
    const policy = denied.Resources?.Fn1Policy?.Properties as {
      PolicyDocument: { Statement: { Action: string }[] };
    };
    policy.PolicyDocument.Statement = [
      { ...policy.PolicyDocument.Statement[0], Action: 'dynamodb:GetItem' } as never,
    ];

    // Act
    const result = await runWorkflow({ template: denied, stateMachine: 'Workflow', input: { id: 'nope' } });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('denied');
    expect(result.taskInvocations[0]?.error?.name).toBe('AccessDeniedException');
    expect(result.taskInvocations[0]?.error?.message).toMatch(
      /is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table\//,
    );
    const item = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'nope' } } }),
    );
    expect(item.Item).toBeUndefined();
  });

  it('lets the same call through with iam off, and only when a test says so', async () => {
    const denied = structuredClone(plainTemplate);
    const policy = denied.Resources?.Fn1Policy?.Properties as { PolicyDocument: { Statement: unknown[] } };
    policy.PolicyDocument.Statement = [];
    const enforced = await runWorkflow({ template: denied, stateMachine: 'Workflow', input: { id: 'a' } });
    const off = await runWorkflow({
      template: denied,
      stateMachine: 'Workflow',
      input: { id: 'b' },
      iam: 'off',
    });
    expect(enforced.status).toBe('FAILED');
    expect(enforced.error).toBe('AccessDeniedException');
    expect(off.status).toBe('SUCCEEDED');
  });

  it('fails the task as Step Functions does when the state machine role may not invoke the function', async () => {
    const noInvoke = structuredClone(plainTemplate);
    (noInvoke.Resources?.WorkflowRole?.Properties as { Policies: unknown[] }).Policies = [];
    const result = await runWorkflow({ template: noInvoke, stateMachine: 'Workflow', input: { id: 'x' } });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Lambda.AWSLambdaException');
    expect(result.cause).toMatch(/not authorized to perform: lambda:InvokeFunction/);
    expect(result.taskInvocations[0]?.error?.name).toBe('Lambda.AWSLambdaException');
  });

  it('fails the execution loudly on a call it cannot authorize, even one the handler swallows', async () => {
    const catchAll = templateWith({
      Write: writeTask({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true }),
      Caught: { Type: 'Pass', End: true },
    });
    await expect(
      runWorkflow({ template: catchAll, stateMachine: 'Workflow', input: { id: 'u', unmodelled: true } }),
    ).rejects.toThrow(/no model of DynamoDB\.ListTables/);
  });

  it('runs a lambda:invoke task through the handler module, whose write lands in moto', async () => {
    const envBefore = { ...process.env };
    const result = await runWorkflow({
      template: plainTemplate,
      stateMachine: 'Workflow',
      input: { id: 'item-1' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ written: 'item-1', table: tableName, marker: 'us-east-1' });
    expect(result.taskInvocations).toEqual([
      expect.objectContaining({ stateName: 'Write', functionLogicalId: 'Fn1', input: { id: 'item-1' } }),
    ]);
    expect(result.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'StateEntered',
      'StateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.largestPayloadBytes).toBeGreaterThan(0);

    const item = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'item-1' } } }),
    );
    expect(item.Item?.writer?.S).toBe('Fn1');
    // The function's environment was applied for the call and taken back afterwards.
    expect(process.env).toEqual(envBefore);
  });

  it('wraps lambda:invoke results like Step Functions does', async () => {
    const template = templateWith({ Write: writeTask({ OutputPath: '$', End: true }) });
    const result = await runWorkflow({ template, stateMachine: 'workflow', input: { id: 'x' } });
    expect(result.output).toEqual({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      Payload: { written: 'x', table: tableName, marker: 'us-east-1' },
    });
  });

  const catchingTemplate = templateWith({
    Write: writeTask({
      Catch: [{ ErrorEquals: ['LockHeldError'], ResultPath: '$.error', Next: 'Locked' }],
      End: true,
    }),
    Locked: { Type: 'Pass', Result: 'locked', ResultPath: '$.outcome', End: true },
  });

  it('lets a Catch match the name of an error thrown by the handler', async () => {
    const result = await runWorkflow({
      template: catchingTemplate,
      stateMachine: 'Workflow',
      input: { id: 'a', fail: 'lock' },
    });
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as { outcome: string; error: { Error: string; Cause: string } };
    expect(output.outcome).toBe('locked');
    expect(output.error.Error).toBe('LockHeldError');
    // Cause is the JSON text Step Functions shows for a Lambda error.
    expect(JSON.parse(output.error.Cause)).toMatchObject({
      errorType: 'LockHeldError',
      errorMessage: 'lock held by someone else (asked by a)',
    });
    expect(result.events.some((e) => e.type === 'StateCaught')).toBe(true);
  });

  it('reports an uncaught handler error as FAILED with the error name and cause, like Lambda would', async () => {
    // NamelessError does not set `name`: the Lambda runtime reports it as "Error", so the catcher misses.
    const result = await runWorkflow({
      template: catchingTemplate,
      stateMachine: 'Workflow',
      input: { id: 'b', fail: 'nameless' },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Error');
    expect(JSON.parse(result.cause ?? '{}').errorMessage).toBe('this error class forgot to set its name');
    expect(result.output).toBeUndefined();
  });

  it('shortens retries and lets taskOverrides inject faults around the real handler', async () => {
    const template = templateWith({
      Write: writeTask({
        Retry: [{ ErrorEquals: ['LockHeldError'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }],
        Next: 'Pause',
      }),
      Pause: { Type: 'Wait', Seconds: 3600, End: true },
    });
    let calls = 0;
    const started = Date.now();
    const result = await runWorkflow({
      template,
      stateMachine: 'Workflow',
      input: { id: 'retried' },
      taskOverrides: {
        Write: async (payload, call) => {
          calls += 1;
          if (calls < 3) throw Object.assign(new Error('busy'), { name: 'LockHeldError' });
          return call.invokeOriginal?.(payload);
        },
      },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(2);
    expect(result.taskInvocations.map((t) => t.error?.name ?? 'ok')).toEqual([
      'LockHeldError',
      'LockHeldError',
      'ok',
    ]);
    const item = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'retried' } } }),
    );
    expect(item.Item).toBeDefined();
  });

  it('runs a task whose Resource is the Lambda ARN itself with the bare result', async () => {
    const template = templateWith({ Write: { Type: 'Task', Resource: '__FN1_ARN__', End: true } });
    const result = await runWorkflow({ template, stateMachine: 'Workflow', input: { id: 'direct' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ written: 'direct', table: tableName, marker: 'us-east-1' });
  });

  it('fails loudly on task resources it does not emulate, unless overridden', async () => {
    const template = templateWith({
      Write: writeTask({ Next: 'Record' }),
      Record: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: { TableName: 't', Item: { pk: { S: 'x' } } },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Swallowed' }],
        End: true,
      },
      Swallowed: { Type: 'Pass', End: true },
    });
    await expect(runWorkflow({ template, stateMachine: 'Workflow', input: { id: 'u' } })).rejects.toThrow(
      /Record uses arn:aws:states:::dynamodb:putItem, which the local runner does not emulate/,
    );
    const result = await runWorkflow({
      template,
      stateMachine: 'Workflow',
      input: { id: 'u' },
      taskOverrides: { Record: (input) => ({ seen: input }) },
    });
    expect(result.output).toEqual({ seen: { TableName: 't', Item: { pk: { S: 'x' } } } });
  });

  it('reports ABORTED when the signal aborts a waiting execution', async () => {
    const template = templateWith({
      Write: writeTask({ Next: 'Pause' }),
      Pause: { Type: 'Wait', Seconds: 60, End: true },
    });
    const controller = new AbortController();
    const result = await runWorkflow({
      template,
      stateMachine: 'Workflow',
      input: { id: 'aborted' },
      shortenWaitsTo: 10_000,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.state.name === 'Pause')
          setTimeout(() => controller.abort(), 10);
      },
      signal: controller.signal,
    });
    expect(result.status).toBe('ABORTED');
  });

  it('starts no further Map iterations once one failed, as Step Functions stops the Map', async () => {
    // Prepare: three items, one at a time; the first fails
    const template = templateWith(
      {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Write', States: { Write: writeTask({ End: true }) } },
          End: true,
        },
      },
      'Each',
    );

    // Act
    const result = await runWorkflow({
      template,
      stateMachine: 'Workflow',
      input: { items: [{ id: 'a', fail: 'lock' }, { id: 'b' }, { id: 'c' }] },
    });

    // Assess: the Map failed at the first item and never started the others
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('LockHeldError');
    expect(result.taskInvocations.map((t) => (t.input as { id: string }).id)).toEqual(['a']);
  });

  it('runs realistic executions on a virtual clock: waits, retries and timeouts take modeled time, not wall time', async () => {
    // Prepare: a 2-hour wait and a retry that backs off 10 minutes, in realistic mode
    useRealisticAws({ seed: 3, latency: false });
    const template = templateWith({
      Write: writeTask({
        Retry: [{ ErrorEquals: ['LockHeldError'], IntervalSeconds: 600, MaxAttempts: 1 }],
        Next: 'Pause',
      }),
      Pause: { Type: 'Wait', Seconds: 7200, End: true },
    });
    let calls = 0;
    const wall = Date.now();

    // Act
    const result = await runWorkflow({
      template,
      stateMachine: 'Workflow',
      input: { id: 'virtual' },
      taskOverrides: {
        Write: async (payload, call) => {
          calls += 1;
          if (calls === 1) throw Object.assign(new Error('busy'), { name: 'LockHeldError' });
          return call.invokeOriginal?.(payload);
        },
      },
    }).finally(() => useInstantAws());

    // Assess: 10 min + 2 h passed on the clock the execution saw, in a few seconds of wall time
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const started = result.events.find((e) => e.type === 'ExecutionStarted')?.timestamp ?? 0;
    const ended = result.events.find((e) => e.type === 'ExecutionSucceeded')?.timestamp ?? 0;
    expect(ended - started).toBeGreaterThanOrEqual((600 + 7200) * 1000);
    expect(ended - started).toBeLessThan((600 + 7200 + 60) * 1000);
    expect(Date.now() - wall).toBeLessThan(30_000);
    const [first, second] = result.taskInvocations;
    expect((second?.startedAt ?? 0) - (first?.startedAt ?? 0)).toBeGreaterThanOrEqual(600_000);
  });

  it('keeps an execution timeout longer than a Node timer holds (a 30-day soak) in virtual time', async () => {
    // Prepare: a 40-day wait under a 30-day execution timeout
    useRealisticAws({ seed: 3, latency: false });
    const timed = templateWith(
      { Write: writeTask({ Next: 'Soak' }), Soak: { Type: 'Wait', Seconds: 40 * 86_400, End: true } },
      'Write',
      { TimeoutSeconds: 30 * 86_400 },
    );

    // Act
    const result = await runWorkflow({
      template: timed,
      stateMachine: 'Workflow',
      input: { id: 'soak' },
    }).finally(() => useInstantAws());

    // Assess: timed out at 30 days, not at once (a Node timer would overflow) and not after the wait
    expect(result.status).toBe('TIMED_OUT');
    const started = result.events.find((e) => e.type === 'ExecutionStarted')?.timestamp ?? 0;
    const last = result.events.at(-1)?.timestamp ?? 0;
    expect(Math.round((last - started) / 86_400_000)).toBe(30);
  });

  it('refuses an invalid definition with the validator errors', async () => {
    const template = templateWith({ Write: writeTask({ Next: 'Nowhere' }) });
    await expect(runWorkflow({ template, stateMachine: 'Workflow' })).rejects.toThrow(
      /MISSING_TRANSITION_TARGET/,
    );
  });

  it('names the available state machines when none matches', async () => {
    await expect(runWorkflow({ template: plainTemplate, stateMachine: 'Failback' })).rejects.toThrow(
      /no state machine matches "Failback"; available: Workflow \(Workflow\)/,
    );
  });
});
