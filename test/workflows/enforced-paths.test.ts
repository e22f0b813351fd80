/**
 * Paths of the deployed failover that need more of the estate than the sample has, run through the
 * synthesized workflow under the deployed roles: a Lambda pre-failover hook, a CloudWatch alarm as
 * the health check, and a database that fails over by promoting its cross-region read replica.
 */
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateDBInstanceReadReplicaCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { createAwsClients, resetDefaultAwsClients } from '../../lambdas/runtime/aws-clients';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { deployLocalStack } from '../../local/local-stack';
import { type FakeLambdaApi, startFakeLambdaApi } from '../hooks/fake-lambda-api';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const RECOVERY = 'us-west-2';
const HOOK = 'arn:aws:lambda:us-west-2:123456789012:function:shop-freeze-writes';

describe('failover paths under the deployed roles', () => {
  const aws = localAwsForTests(RECOVERY);
  let lambda: FakeLambdaApi;
  beforeAll(async () => {
    // moto runs Lambda functions only in Docker: the Invoke call goes to a test double instead.
    lambda = await startFakeLambdaApi();
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    resetDefaultAwsClients();
    await lambda.close();
  });

  it('invokes a Lambda hook and reads an alarm health check as their tasks, and both are allowed', async () => {
    // Prepare
    await aws.reset();
    process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;
    resetDefaultAwsClients();
    lambda.define(HOOK, { result: { veto: false } });
    const clients = createAwsClients();
    await clients.cloudWatch(RECOVERY).send(
      new PutMetricAlarmCommand({
        AlarmName: 'shop-recovery-5xx',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Namespace: 'AWS/ApplicationELB',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await clients
      .cloudWatch(RECOVERY)
      .send(
        new SetAlarmStateCommand({ AlarmName: 'shop-recovery-5xx', StateValue: 'OK', StateReason: 'test' }),
      );
    const plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront-errors', alarmName: 'shop-recovery-5xx' }];
      p.hooks = { preFailover: [{ lambda: { functionArn: HOOK } }] };
    });
    await createSampleEstate(clients);
    const stack = await deployLocalStack(plan);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    iamLedger.clear();

    // Act
    const result = await stack.run('failover', { reason: 'enforced paths' });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(lambda.invocations.map((i) => i.functionName)).toContain(HOOK);
    const asked = (action: string) => iamLedger.records.filter((r) => r.action === action);
    expect(asked('lambda:InvokeFunction').map((r) => [r.handlerModule, r.resource, r.allowed])).toEqual([
      ['lambdas/handlers/run-hooks.ts', HOOK, true],
    ]);
    expect(
      asked('cloudwatch:DescribeAlarms').filter(
        (r) => r.handlerModule === 'lambdas/handlers/check-health.ts',
      ),
    ).toEqual([
      expect.objectContaining({
        resource: 'arn:aws:cloudwatch:us-west-2:123456789012:alarm:shop-recovery-5xx',
        allowed: true,
      }),
    ]);
  });

  it("fails over a database by promoting the plan's cross-region replica, which carries no Pendulum tag", async () => {
    // Prepare: shop-db replicated into the recovery region by its owners, long before any failover
    await aws.reset();
    const clients = createAwsClients();
    await createSampleEstate(clients);
    await clients.rds(RECOVERY).send(
      new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: 'shop-db-replica',
        SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:shop-db',
        DBInstanceClass: 'db.t3.medium',
      }),
    );
    const plan = samplePlanWith((p) => {
      p.healthChecks = [];
      const db = p.tiers[0]?.resources[0];
      if (db && 'rds' in db) db.rds.replicaIdentifier = 'shop-db-replica';
    });
    const stack = await deployLocalStack(plan);
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
    iamLedger.clear();

    // Act: what an operator sees first, then the failover.
    // moto keeps ReadReplicaSourceDBInstanceIdentifier after a promotion; the local AWS clears it
    // (local/realistic-aws), and readiness waits for exactly that.
    const dryRun = await stack.run('failover', { dryRun: true });
    const result = await stack.run('failover', {});

    // Assess
    expect(dryRun.status, dryRun.cause).toBe('SUCCEEDED');
    expect(
      iamLedger.records.filter((r) => r.handlerModule === 'lambdas/handlers/plan-failover.ts' && !r.allowed),
    ).toEqual([]);
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(iamLedger.records.filter((r) => r.action === 'rds:PromoteReadReplica')).toEqual([
      expect.objectContaining({
        resource: 'arn:aws:rds:us-west-2:123456789012:db:shop-db-replica',
        allowed: true,
      }),
    ]);
  });
});
