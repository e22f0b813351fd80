/**
 * The deployed path against moto's Step Functions and CloudFormation APIs: the state machine is
 * found by name, started under a deterministic execution name (a double start follows one
 * execution), followed through DescribeExecution and GetExecutionHistory, and its end mapped to
 * the exit code. moto executes the (trivial) definitions for real once asked to; it then cannot
 * start a new execution while any execution exists in the region (StartExecution fails inside
 * moto), so each test starts from freshly created machines.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedWorkflowClient, executionName } from '../../cli/workflow-client';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { loadPlanFile } from '../../lib/plan-file';
import { localAwsForTests } from '../support/local-aws';
import { runCli, samplePlanFile } from './run-cli';

const aws = localAwsForTests('us-west-2');
const REGION = 'us-west-2';
const ROLE = 'arn:aws:iam::123456789012:role/pendulum-test';

const FAILOVER_OUTPUT = {
  status: 'FAILED_OVER',
  app: 'shop',
  activeRegion: 'us-west-2',
  rtoSeconds: 42,
  recovered: 5,
  outcomeKey: 'runs/shop/x/outcome.json',
  targetsMet: true,
};

/** Two quick states and a one-second wait, so the client has to poll. */
const FAILOVER_DEFINITION = {
  StartAt: 'SnapshotDns',
  States: {
    SnapshotDns: { Type: 'Pass', Result: FAILOVER_OUTPUT, Next: 'WaitForTier' },
    WaitForTier: { Type: 'Wait', Seconds: 1, Next: 'FailoverComplete' },
    FailoverComplete: { Type: 'Succeed' },
  },
};

const TOO_OLD = 'the newest recovery point of shop-db is 3h old; the data tier allows 1h';
const DRILL_DEFINITION = {
  StartAt: 'SnapshotDns',
  States: {
    SnapshotDns: { Type: 'Pass', Next: 'CheckRecoveryPoints' },
    CheckRecoveryPoints: {
      Type: 'Fail',
      Error: 'RecoveryPointTooOldError',
      Cause: JSON.stringify({ errorType: 'RecoveryPointTooOldError', errorMessage: TOO_OLD, trace: [] }),
    },
  },
};

/** Waits out the last seconds of a UTC minute, so two starts in a row share their minute. */
async function awayFromMinuteEnd(): Promise<void> {
  const seconds = new Date().getUTCSeconds();
  if (seconds >= 50) await new Promise((resolve) => setTimeout(resolve, (60 - seconds) * 1000 + 200));
}

describe('workflow commands against a deployed stack (moto)', () => {
  let planFile: string;
  let sfn: SFNClient;

  /** Creates a state machine after deleting shop's others (and so their executions); returns its ARN. */
  async function machine(name: string, definition: unknown): Promise<string> {
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    for (const sm of stateMachines)
      if (sm.name?.startsWith('pendulum-shop-'))
        await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: sm.stateMachineArn }));
    const created = await sfn.send(
      new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }),
    );
    return created.stateMachineArn ?? '';
  }

  beforeAll(async () => {
    await aws.reset();
    const config = await fetch(`${aws.endpoint()}/moto-api/config`, {
      method: 'POST',
      body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
    });
    expect(config.ok).toBe(true);
    planFile = samplePlanFile();
    sfn = new SFNClient({ region: REGION });
    // Other apps' machines first, so the lookup has to look past them.
    for (let i = 0; i < 3; i++) await machine(`pendulum-other${i}-failover`, FAILOVER_DEFINITION);
  });

  async function executions(stateMachineArn: string) {
    return (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
  }

  it('failover --json: starts the machine in the recovery region and follows it to SUCCEEDED (exit 0)', async () => {
    await machine('pendulum-shop-failover', FAILOVER_DEFINITION);
    const { code, stdout } = await runCli('failover', '--plan', planFile, '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      mode: 'deployed',
      workflow: 'failover',
      runId: expect.stringMatching(/^failover-\d{8}T\d{4}-[0-9a-f]{10}$/),
      rtoSeconds: 42,
      output: FAILOVER_OUTPUT,
    });
    expect(result.executionArn).toBe(
      `arn:aws:states:us-west-2:123456789012:execution:pendulum-shop-failover:${result.runId}`,
    );
  });

  it('shows each state as it ends, for people', async () => {
    await machine('pendulum-shop-failover', FAILOVER_DEFINITION);
    const { code, stdout } = await runCli('failover', '--plan', planFile, '--reason', 'progress');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Starting failover of shop in us-west-2$/m);
    expect(stdout).toMatch(
      /arn:aws:states:us-west-2:123456789012:execution:pendulum-shop-failover:failover-/,
    );
    expect(stdout).toMatch(/▸ WaitForTier …/);
    expect(stdout).toMatch(/✓ SnapshotDns \d+\.\ds/);
    expect(stdout).toMatch(/✓ WaitForTier [1-9]\.\ds/);
    expect(stdout).toMatch(/✓ failover succeeded in \S+ \(run failover-/);
    expect(stdout).toContain(
      'shop now runs in us-west-2: 5 resource(s) recovered, RTO 42s, RTO and RPO targets met.',
    );
  });

  it('the execution name is the workflow, the UTC minute and a hash of the canonical input', () => {
    const now = new Date('2026-11-28T02:25:59.999Z');
    const name = executionName('failover', { reason: 'x', force: true }, now);
    expect(name).toMatch(/^failover-20261128T0225-[0-9a-f]{10}$/);
    expect(executionName('failover', { force: true, reason: 'x' }, now)).toBe(name); // key order
    expect(executionName('failover', { force: true, reason: 'y' }, now)).not.toBe(name);
    expect(
      executionName('failover', { reason: 'x', force: true }, new Date('2026-11-28T02:26:00Z')),
    ).not.toBe(name);
  });

  it('a double start within the minute runs ONE execution, and both follow it', async () => {
    const failoverArn = await machine('pendulum-shop-failover', FAILOVER_DEFINITION);
    const plan = loadPlanFile(planFile);
    const client = deployedWorkflowClient(plan, { pollIntervalMs: 100 });
    const now = new Date();
    const input = { reason: 'double click' };

    const [first, second] = await Promise.all([
      client.run('failover', input, { now }),
      client.run('failover', input, { now }),
    ]);
    const third = await client.run('failover', { reason: 'double click' }, { now });

    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(second.executionArn).toBe(first.executionArn);
    expect(third).toMatchObject({
      status: 'SUCCEEDED',
      executionArn: first.executionArn,
      followedExisting: true,
    });
    expect(third.output).toEqual(FAILOVER_OUTPUT);
    const named = (await executions(failoverArn)).filter((e) => e.name === first.runId);
    expect(named).toHaveLength(1);
  });

  it('the CLI started twice in the same minute follows the first execution', async () => {
    const failoverArn = await machine('pendulum-shop-failover', FAILOVER_DEFINITION);
    await awayFromMinuteEnd();
    const once = JSON.parse(
      (await runCli('failover', '--plan', planFile, '--reason', 'twice', '--json')).stdout,
    );
    const again = await runCli('failover', '--plan', planFile, '--reason', 'twice', '--json');
    expect(again.code).toBe(0);
    const twice = JSON.parse(again.stdout);
    expect(twice.executionArn).toBe(once.executionArn);
    expect(twice.followedExisting).toBe(true);
    expect(await executions(failoverArn)).toHaveLength(1);

    const human = await runCli('failover', '--plan', planFile, '--reason', 'twice');
    expect(human.stdout).toMatch(/following it rather than starting a second/);
  });

  it('a FAILED execution exits 1 with the error and the Lambda message from its cause', async () => {
    await machine('pendulum-shop-drill', DRILL_DEFINITION);
    const { code, stdout, stderr } = await runCli('drill', '--plan', planFile);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✓ SnapshotDns \d+\.\ds/);
    expect(stdout).toMatch(/✗ CheckRecoveryPoints RecoveryPointTooOldError$/m);
    expect(stderr).toContain(`✗ drill FAILED`);
    expect(stderr).toContain(`RecoveryPointTooOldError: ${TOO_OLD}`);
    expect(stderr).not.toContain('errorType'); // the message, not the JSON

    await machine('pendulum-shop-drill', DRILL_DEFINITION);
    const json = await runCli('drill', '--plan', planFile, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'FAILED',
      error: 'RecoveryPointTooOldError',
      message: TOO_OLD,
      output: null,
    });
  });

  it('a workflow the stack does not have exits 1 and says so', async () => {
    const { code, stderr } = await runCli('failback', '--plan', planFile);
    expect(code).toBe(1);
    expect(stderr).toContain('this stack has no failback workflow');
    const json = await runCli('plan', 'failback', '--plan', planFile, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'MISSING', workflow: 'failback' });
  });

  describe('state table commands find the table through the stack outputs', () => {
    it('approve: a missing stack exits 1 and names it', async () => {
      const { code, stderr } = await runCli(
        'approve',
        '--plan',
        planFile,
        '--by',
        'alice',
        '--reason',
        'why',
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(/no stack Pendulum-shop in us-west-2/);
    });

    it('approve and status use the StateTableName output of stack Pendulum-shop', async () => {
      const cfn = new CloudFormationClient({ region: REGION });
      await cfn.send(
        new CreateStackCommand({
          StackName: 'Pendulum-shop',
          TemplateBody: JSON.stringify({
            Resources: {
              Table: {
                Type: 'AWS::DynamoDB::Table',
                Properties: {
                  TableName: 'pendulum-shop-state-test',
                  KeySchema: [
                    { AttributeName: 'pk', KeyType: 'HASH' },
                    { AttributeName: 'sk', KeyType: 'RANGE' },
                  ],
                  AttributeDefinitions: [
                    { AttributeName: 'pk', AttributeType: 'S' },
                    { AttributeName: 'sk', AttributeType: 'S' },
                  ],
                  BillingMode: 'PAY_PER_REQUEST',
                },
              },
              Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'pendulum-shop-artifacts-test' } },
            },
            Outputs: {
              StateTableName: { Value: { Ref: 'Table' } },
              ArtifactBucketName: { Value: { Ref: 'Bucket' } },
            },
          }),
        }),
      );

      const approve = await runCli(
        'approve',
        '--plan',
        planFile,
        '--by',
        'bob',
        '--reason',
        'window agreed',
        '--workflow',
        'failback',
        '--json',
      );
      expect(approve.code, approve.stderr).toBe(0);
      expect(JSON.parse(approve.stdout)).toMatchObject({
        approved: true,
        table: 'pendulum-shop-state-test',
        approvedBy: 'bob',
      });
      const item = await new StateTable(createAwsClients().dynamo(), 'pendulum-shop-state-test').get(
        'APP#shop',
        'APPROVAL#failback',
      );
      expect(item).toMatchObject({ approvedBy: 'bob', reason: 'window agreed' });

      // No estate and no recovery points: every resource is missing, reported as such.
      const status = await runCli('status', '--plan', planFile, '--json');
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout);
      expect(parsed).toMatchObject({
        status: 'PRIMARY_ACTIVE',
        activeRegion: 'us-east-1',
        rpoMet: false,
        runs: [],
      });
      expect(
        parsed.tiers
          .flatMap((t: { resources: { missing: boolean }[] }) => t.resources)
          .every((r: { missing: boolean }) => r.missing),
      ).toBe(true);
      const human = await runCli('status', '--plan', planFile);
      expect(human.stdout).toMatch(/shop-db\s+MISSING/);
      expect(human.stdout).toMatch(/role web \(tag pendulum-role=web\)\s+MISSING/);
      expect(human.stdout).toContain('✗ RPO not met');
    });
  });
});
