/**
 * How failover is started day to day: by an alarm (behind anti-flapping, cooldown and approval
 * gates), and as a drill that proves recovery without touching production. Synthesized workflow,
 * real handlers, moto.
 */
import { PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const ALARM = 'shop-5xx-critical';
const alarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${ALARM}`;
/** What the EventBridge rule's input transformer hands the workflow. */
const alarmInput = {
  trigger: {
    type: 'alarm',
    alarmName: ALARM,
    alarmArn,
    reason: 'Threshold Crossed',
    time: '2026-11-28T02:00:00Z',
  },
};

async function instances(region: string): Promise<Instance[]> {
  const { Reservations = [] } = await clients()
    .ec2(region)
    .send(
      new DescribeInstancesCommand({
        Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }],
      }),
    );
  return Reservations.flatMap((r) => r.Instances ?? []);
}

async function setAlarm(state: 'ALARM' | 'OK') {
  const cw = clients().cloudWatch('us-east-1');
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      MetricName: '5XXError',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cw.send(new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: state, StateReason: 'test' }));
}

describe('alarm-started failover and drills', () => {
  let estate: SampleEstate;
  let stack: LocalStack;
  let state: StateTable;

  async function setUp(change: (p: PlanInput) => void = () => {}) {
    const plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.triggers = { alarms: [alarmArn], mode: 'automatic', confirmationDelay: '5m', cooldown: '1h' };
      change(p);
    });
    stack = await deployLocalStack(plan);
    state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
  }

  beforeEach(async () => {
    await aws.reset();
    estate = await createSampleEstate(clients());
  });

  it('an alarm still firing after the confirmation delay fails over, and the gate decision is recorded', async () => {
    await setUp();
    await setAlarm('ALARM');

    const result = await stack.run('failover', alarmInput);

    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ status: 'FAILED_OVER' });
    expect(
      result.events.some(
        (e) =>
          e.type === 'StateEntered' &&
          (e as { state?: { name: string } }).state?.name === 'ConfirmationDelay',
      ),
    ).toBe(true);
    const app = await state.getApp('shop', 'us-east-1');
    const gate = await state.get('APP#shop', `GATE#${String(app.lastFailoverRunId)}#alarm`);
    expect(gate).toMatchObject({ verdict: 'pass' });
  });

  it('a flapping alarm (back to OK during the delay) does not fail over, and nothing changes', async () => {
    await setUp();
    await setAlarm('OK');
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    const result = await stack.run('failover', alarmInput);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ gate: 'alarm', verdict: 'stop' });
    expect((result.output as { detail: string }).detail).toMatch(/flapping/);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(await instances('us-west-2')).toHaveLength(0);
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
  });

  it('two alarms firing together start at most one failover', async () => {
    await setUp();
    await setAlarm('ALARM');

    // Both runs pass every gate in lockstep; the lock decides. moto applies concurrent conditional
    // writes without isolation (DynamoDB does not), so the second run's lock attempt is delayed a
    // little: a latency injection, the conditional write itself is moto's.
    let lockAttempts = 0;
    const slowSecondLock = {
      taskOverrides: {
        TakeFailoverLock: async (
          payload: unknown,
          call: { invokeOriginal?: (p: unknown) => Promise<unknown> },
        ) => {
          if (lockAttempts++ > 0) await new Promise((resolve) => setTimeout(resolve, 200));
          return call.invokeOriginal?.(payload);
        },
      },
    };
    const [a, b] = await Promise.all([
      stack.run('failover', alarmInput, slowSecondLock),
      stack.run('failover', alarmInput, slowSecondLock),
    ]);

    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['FAILED', 'SUCCEEDED']);
    expect([a, b].find((r) => r.status === 'FAILED')?.error).toBe('WrongStateError');
    expect(
      (await instances('us-west-2')).filter((i) => i.Tags?.some((t) => t.Key === TAG.failover)),
    ).toHaveLength(4);
  });

  it('approval mode waits for `pendulum approve`, then proceeds', async () => {
    await setUp((p) => {
      p.triggers = { alarms: [alarmArn], mode: 'approval', approvalTimeout: '1h' };
    });
    await setAlarm('ALARM');
    let checks = 0;

    const result = await stack.run('failover', alarmInput, {
      taskOverrides: {
        CheckApproval: async (payload, call) => {
          checks++;
          if (checks === 3) {
            // What `pendulum approve --by alice --reason ...` writes.
            await state.put({
              pk: 'APP#shop',
              sk: 'APPROVAL#failover',
              approvedBy: 'alice',
              reason: 'confirmed regional outage',
              approvedAt: new Date().toISOString(),
              expiresAt: new Date(Date.now() + 3600_000).toISOString(),
            });
          }
          return call.invokeOriginal?.(payload);
        },
      },
    });

    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(checks).toBe(3);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
  });

  it('approval mode stops cleanly when nobody approves in time', async () => {
    await setUp((p) => {
      p.triggers = { alarms: [alarmArn], mode: 'approval', approvalTimeout: '1s', onApprovalTimeout: 'stop' };
    });
    await setAlarm('ALARM');

    const result = await stack.run('failover', alarmInput, { shortenWaitsTo: 300 });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ gate: 'approval', verdict: 'stop' });
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(await instances('us-west-2')).toHaveLength(0);
  });

  it('malformed input fails in the first state, naming the field, with nothing written', async () => {
    await setUp();
    const result = await stack.run('failover', { trigger: { type: 'pager' }, mode: 'chaos' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toMatch(/trigger/);
    expect(result.cause).toMatch(/mode/);
    expect(
      result.events
        .filter((e) => e.type === 'StateEntered')
        .map((e) => (e as { state?: { name: string } }).state?.name),
    ).toEqual(['PrepareFailover', 'FailoverRejected']);
    expect(await state.listRuns('shop')).toEqual([]);
  });

  it('a failback started while the app runs in its primary changes nothing', async () => {
    await setUp();
    const result = await stack.run('failback', {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('WrongStateError');
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
  });

  it('a scheduled failback window ends cleanly, changing nothing, when there is nothing to do or too little time', async () => {
    await setUp();
    const window = (openedHoursAgo: number) => ({
      window: {
        scheduledTime: new Date(Date.now() - openedHoursAgo * 3600_000).toISOString(),
        duration: '4h',
      },
    });

    // Not failed over: the weekly window opens and finds nothing to do.
    const home = await stack.run('failback', window(0));
    expect(home.status, home.cause).toBe('SUCCEEDED');
    expect(home.output).toMatchObject({ status: 'SKIPPED', reason: expect.stringMatching(/PRIMARY_ACTIVE/) });

    // Failed over, but the window closes in an hour: not enough for the work.
    expect((await stack.run('failover', {})).status).toBe('SUCCEEDED');
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);
    const late = await stack.run('failback', window(3));
    expect(late.status, late.cause).toBe('SUCCEEDED');
    expect(late.output).toMatchObject({
      status: 'SKIPPED',
      reason: expect.stringMatching(/overrun its window/),
    });
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
  });

  describe('drills', () => {
    async function production() {
      const zone = await listZoneRecords(clients().route53(), estate.zoneId);
      const primary = (await instances('us-east-1')).map((i) => [i.InstanceId, i.State?.Name]);
      const dbs = (
        (await clients().rds('us-east-1').send(new DescribeDBInstancesCommand({}))).DBInstances ?? []
      ).map((d) => [d.DBInstanceIdentifier, d.DBInstanceStatus]);
      return { zone: zone.filter((r) => !r.Name?.startsWith('drill.')), primary, dbs };
    }

    async function drillLeftovers() {
      const recoveryInstances = await instances('us-west-2');
      const recoveryDbs =
        (await clients().rds('us-west-2').send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
      const drillRecords = (await listZoneRecords(clients().route53(), estate.zoneId)).filter((r) =>
        r.Name?.startsWith('drill.'),
      );
      return {
        instances: recoveryInstances.length,
        databases: recoveryDbs.length,
        records: drillRecords.length,
      };
    }

    it('recovers under drill names, measures RTO/RPO, tears everything down, and leaves production as it was', async () => {
      await setUp();
      const before = await production();
      let drillWww: string[] = [];

      const result = await stack.run(
        'failover',
        { mode: 'drill' },
        {
          taskOverrides: {
            TearDownDrill: async (payload, call) => {
              // Just before teardown: the drill names point at the drill copies.
              const zone = await listZoneRecords(clients().route53(), estate.zoneId);
              drillWww = (
                zone.find((r) => r.Name === 'drill.www.shop.example.com.')?.ResourceRecords ?? []
              ).map((v) => v.Value ?? '');
              return call.invokeOriginal?.(payload);
            },
          },
        },
      );

      expect(result.status, result.cause).toBe('SUCCEEDED');
      expect(result.output).toMatchObject({ status: 'DRILL_PASSED', targetsMet: true });
      expect(drillWww).toHaveLength(2);
      expect(await production()).toEqual(before);
      expect(await drillLeftovers()).toEqual({ instances: 0, databases: 0, records: 0 });
      expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
      expect(await state.get('APP#shop', 'LAST_DRILL')).toMatchObject({ status: 'DRILL_PASSED' });
    });

    it('tears down what it made when a failure is injected mid-drill', async () => {
      await setUp();
      const before = await production();

      const result = await stack.run(
        'failover',
        { mode: 'drill' },
        {
          taskOverrides: {
            CutOverDns: () => {
              throw Object.assign(new Error('injected: Route 53 unavailable'), { name: 'InjectedFault' });
            },
          },
        },
      );

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InjectedFault');
      expect(await production()).toEqual(before);
      expect(await drillLeftovers()).toEqual({ instances: 0, databases: 0, records: 0 });
      expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
      expect(await state.get('APP#shop', 'LAST_DRILL')).toMatchObject({ status: 'DRILL_FAILED' });
    });
  });
});
