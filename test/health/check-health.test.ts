import { createServer, type Server } from 'node:http';
import {
  type CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CheckHealthInput, makeCheckHealthHandler } from '../../lambdas/handlers/check-health';
import { type AlarmHealthCheck, runAlarmHealthChecks } from '../../lambdas/health/alarm-health-check';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { InvalidInputError } from '../../lambdas/runtime/task-errors';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';

const REGION = 'us-west-2';

async function putAlarm(
  cw: CloudWatchClient,
  name: string,
  state: StateValue,
  reason: string,
): Promise<void> {
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: 'Shop',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
}

describe('health checks (alarms in moto, URLs on 127.0.0.1)', () => {
  let moto: MotoServer;
  let restoreAws: () => void;
  let server: Server;
  let origin: string;
  let clients: AwsClients;
  let cloudWatchCalls: { region: string; command: string; names: unknown }[];
  const savedEnv = { ...process.env };

  function usePlan(healthChecks: PlanInput['healthChecks']): void {
    const result = parsePlanObject({
      app: 'shop',
      primaryRegion: 'us-east-1',
      recoveryRegion: REGION,
      tiers: [
        {
          name: 'app',
          rpo: '1h',
          rto: '1h',
          resources: [{ ec2: { role: 'web', ids: ['i-0abc12345def67890'] } }],
        },
      ],
      healthChecks,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    process.env.PENDULUM_PLAN = JSON.stringify(result.plan);
  }

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreAws = useLocalAws(moto.endpoint, 'us-east-1');
    process.env.STATE_TABLE_NAME = 'pendulum-state';
    process.env.ARTIFACT_BUCKET_NAME = 'pendulum-artifacts';

    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const healthy = url.searchParams.get('region') === REGION;
      res.writeHead(healthy ? 200 : 503);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    origin = `http://127.0.0.1:${address.port}`;

    const cw = createAwsClients().cloudWatch(REGION);
    await putAlarm(cw, 'shop-web-ok', 'OK', 'Threshold Crossed: no errors');
    await putAlarm(cw, 'shop-web-alarm', 'ALARM', 'Threshold Crossed: 12 errors');
    await putAlarm(cw, 'shop-web-nodata', 'INSUFFICIENT_DATA', 'Insufficient Data: no datapoints');
  }, 60_000);

  afterAll(async () => {
    restoreAws?.();
    for (const key of ['STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'PENDULUM_PLAN']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
    await new Promise((resolve) => server?.close(resolve));
    await moto?.stop();
  });

  beforeEach(() => {
    cloudWatchCalls = [];
    const real = createAwsClients();
    clients = {
      ...real,
      cloudWatch: (region) => {
        const client = real.cloudWatch(region);
        return {
          send: (command: { constructor: { name: string }; input: { AlarmNames?: unknown } }) => {
            cloudWatchCalls.push({
              region,
              command: command.constructor.name,
              names: command.input.AlarmNames,
            });
            return client.send(command as never);
          },
        } as unknown as CloudWatchClient;
      },
    };
  });

  const alarm = (name: string, alarmName: string): AlarmHealthCheck => ({
    name,
    alarmName,
    expectStatus: 200,
    timeout: '5s',
  });

  describe('runAlarmHealthChecks', () => {
    it('reads every alarm with one DescribeAlarms call in the target region', async () => {
      // Prepare
      const checks = [
        alarm('web-ok', 'shop-web-ok'),
        alarm('web-alarm', 'shop-web-alarm'),
        alarm('web-nodata', 'shop-web-nodata'),
        alarm('web-missing', 'shop-web-missing'),
        alarm('web-ok-again', 'shop-web-ok'),
      ];

      // Act
      const results = await runAlarmHealthChecks(checks, REGION, clients);

      // Assess
      expect(results.map(({ name, ok, detail }) => ({ name, ok, detail }))).toEqual([
        { name: 'web-ok', ok: true, detail: 'OK' },
        { name: 'web-alarm', ok: false, detail: 'ALARM: Threshold Crossed: 12 errors' },
        { name: 'web-nodata', ok: false, detail: 'INSUFFICIENT_DATA: Insufficient Data: no datapoints' },
        { name: 'web-missing', ok: false, detail: `alarm shop-web-missing not found in ${REGION}` },
        { name: 'web-ok-again', ok: true, detail: 'OK' },
      ]);
      expect(cloudWatchCalls).toEqual([
        {
          region: REGION,
          command: 'DescribeAlarmsCommand',
          names: ['shop-web-ok', 'shop-web-alarm', 'shop-web-nodata', 'shop-web-missing'],
        },
      ]);
    });

    it('does not find an alarm that only exists in another region', async () => {
      // Prepare, Act
      const results = await runAlarmHealthChecks([alarm('web-ok', 'shop-web-ok')], 'us-east-1', clients);

      // Assess
      expect(results).toMatchObject([{ ok: false, detail: 'alarm shop-web-ok not found in us-east-1' }]);
    });

    it('reads composite alarms too (moto has none: a stand-in client answers)', async () => {
      // Prepare
      const sent: unknown[] = [];
      const stub = {
        ...clients,
        cloudWatch: () =>
          ({
            send: async (command: { input: unknown }) => {
              sent.push(command.input);
              return {
                MetricAlarms: [],
                CompositeAlarms: [
                  { AlarmName: 'shop-composite', StateValue: 'ALARM', StateReason: 'child in ALARM' },
                ],
              };
            },
          }) as unknown as CloudWatchClient,
      };

      // Act
      const results = await runAlarmHealthChecks([alarm('composite', 'shop-composite')], REGION, stub);

      // Assess
      expect(results).toMatchObject([{ name: 'composite', ok: false, detail: 'ALARM: child in ALARM' }]);
      expect(sent).toEqual([
        {
          AlarmNames: ['shop-composite'],
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken: undefined,
        },
      ]);
    });

    it('fails every alarm check when the alarms cannot be read', async () => {
      // Prepare
      const stub = {
        ...clients,
        cloudWatch: () =>
          ({
            send: async () => {
              throw Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });
            },
          }) as unknown as CloudWatchClient,
      };

      // Act
      const results = await runAlarmHealthChecks(
        [alarm('a', 'shop-web-ok'), alarm('b', 'shop-web-alarm')],
        REGION,
        stub,
      );

      // Assess
      expect(results.map(({ name, ok, detail }) => ({ name, ok, detail }))).toEqual([
        {
          name: 'a',
          ok: false,
          detail: `could not read alarm shop-web-ok in ${REGION}: AccessDenied: User is not authorized`,
        },
        {
          name: 'b',
          ok: false,
          detail: `could not read alarm shop-web-alarm in ${REGION}: AccessDenied: User is not authorized`,
        },
      ]);
    });

    it('makes no call without alarm checks', async () => {
      // Prepare, Act
      const results = await runAlarmHealthChecks([], REGION, clients);

      // Assess
      expect(results).toEqual([]);
      expect(cloudWatchCalls).toEqual([]);
    });
  });

  describe('check-health handler', () => {
    const handler = () => makeCheckHealthHandler({ clients });
    const input = (extra: Partial<CheckHealthInput> = {}): CheckHealthInput => ({
      region: REGION,
      runId: 'run-42',
      ...extra,
    });
    const plan = () =>
      usePlan([
        { name: 'storefront', url: `${origin}/health?region={region}` },
        { name: 'errors', alarmName: 'shop-web-ok' },
        { name: 'latency', alarmName: 'shop-web-alarm' },
        { name: 'api', url: `${origin}/health?region={region}`, expectStatus: 204 },
      ]);

    it('runs every check and reports each in plan order, without throwing on failures', async () => {
      // Prepare
      plan();

      // Act
      const result = await handler()(input());

      // Assess
      expect(result.region).toBe(REGION);
      expect(result.passed).toBe(false);
      expect(result.results.map(({ name, ok, detail }) => ({ name, ok, detail }))).toEqual([
        { name: 'storefront', ok: true, detail: 'HTTP 200' },
        { name: 'errors', ok: true, detail: 'OK' },
        { name: 'latency', ok: false, detail: 'ALARM: Threshold Crossed: 12 errors' },
        { name: 'api', ok: false, detail: 'HTTP 200, expected 204' },
      ]);
      expect(result.results.every((r) => Number.isInteger(r.ms) && r.ms >= 0)).toBe(true);
      expect(cloudWatchCalls).toHaveLength(1);
    });

    it('runs only the named checks, and passes when they pass', async () => {
      // Prepare
      plan();

      // Act
      const result = await handler()(input({ checks: ['errors', 'storefront'] }));

      // Assess
      expect(result).toMatchObject({
        region: REGION,
        passed: true,
        results: [
          { name: 'storefront', ok: true },
          { name: 'errors', ok: true },
        ],
      });
    });

    it('substitutes the region it is asked about', async () => {
      // Prepare
      plan();

      // Act
      const result = await handler()(input({ region: 'us-east-1', checks: ['storefront'] }));

      // Assess
      expect(result).toMatchObject({
        region: 'us-east-1',
        passed: false,
        results: [{ ok: false, detail: 'HTTP 503, expected 200' }],
      });
    });

    it('passes with no checks to run', async () => {
      // Prepare
      usePlan([]);

      // Act
      const result = await handler()(input());

      // Assess
      expect(result).toEqual({ region: REGION, passed: true, results: [] });
      expect(cloudWatchCalls).toEqual([]);
    });

    it('rejects an unknown check name, naming it', async () => {
      // Prepare
      plan();

      // Act
      const error = await handler()(input({ checks: ['storefront', 'nope'] })).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(
        /unknown health check\(s\) nope; the plan has storefront, errors, latency, api/,
      );
    });

    it('rejects malformed input', async () => {
      // Prepare
      plan();

      // Act
      const error = await handler()({ region: 'nowhere', runId: '' }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(/region: .*runId: /);
    });
  });
});
