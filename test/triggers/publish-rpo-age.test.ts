import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeProtectTierHandler } from '../../lambdas/handlers/protect-tier';
import { makePublishRpoAgeHandler, measuredPoints } from '../../lambdas/handlers/publish-rpo-age';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { MISSING_AGE_SECONDS } from '../../lambdas/rpo/dr-metric-names';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { runScheduleTarget } from '../../local/scheduled-target';
import { lambdaFunctions } from '../../local/synthesized-app';
import { createEstate, estatePlan, RECOVERY } from '../recovery-points/estate';
import { localAwsForTests } from '../support/local-aws';
import { createStateTable } from '../support/state-table';

const T0 = '2026-03-01T12:00:00.000Z';

const minutesAfter = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000);

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

describe('which points publish-rpo-age measures', () => {
  const regions = { primaryRegion: 'us-east-1', recoveryRegion: 'us-west-2' };

  it('measures forward points in the recovery region, and the reverse copies in the primary while production is in the recovery region', () => {
    // Act, Assess
    expect(measuredPoints('PRIMARY_ACTIVE', regions)).toEqual({ direction: 'forward', region: 'us-west-2' });
    expect(measuredPoints('FAILING_OVER', regions)).toEqual({ direction: 'forward', region: 'us-west-2' });
    for (const status of ['FAILED_OVER', 'FAILBACK_FAILED', 'FAILING_BACK'] as const)
      expect(measuredPoints(status, regions)).toEqual({ direction: 'reverse', region: 'us-east-1' });
  });
});

describe('publish-rpo-age against moto', () => {
  const aws = localAwsForTests(RECOVERY);
  let clients: AwsClients;
  let emitted: EmfDocument[];
  const savedEnv = { ...process.env };

  const usePlan = (input: PlanInput) => {
    const result = parsePlanObject(input);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    process.env.PENDULUM_PLAN = JSON.stringify(result.plan);
  };
  const protect = (tier: string, protectRun: string, at: Date) =>
    makeProtectTierHandler({ clients })({ tier, protectRun, now: at.toISOString() });
  const publish = (at: Date) => makePublishRpoAgeHandler({ clients, now: () => at })({});

  beforeEach(async () => {
    await aws.reset();
    clients = createAwsClients();
    process.env.STATE_TABLE_NAME = 'pendulum-shop-state';
    process.env.ARTIFACT_BUCKET_NAME = 'pendulum-shop-artifacts';
    // test/support/quiet-powertools.ts turns metrics off for every test; these tests read them.
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    usePlan(estatePlan());
    await createStateTable(clients, 'pendulum-shop-state');
    await createEstate(clients);
    emitted = [];
    // Keep the EMF documents (one JSON line each) and let everything else through.
    const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const documents = text
        .split('\n')
        .filter((line) => line.startsWith('{"_aws"'))
        .map((line) => JSON.parse(line) as EmfDocument);
      if (documents.length === 0) return write(chunk, ...rest);
      emitted.push(...documents);
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of [
      'STATE_TABLE_NAME',
      'ARTIFACT_BUCKET_NAME',
      'PENDULUM_PLAN',
      'POWERTOOLS_METRICS_DISABLED',
    ]) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });

  /** tier → its EMF document. */
  const byTier = () => new Map(emitted.map((doc) => [doc.Tier as string, doc]));

  it('runs as its schedule target with its deployed role: the scheduler may invoke it, every read is allowed', async () => {
    // Prepare: the stack as synthesized for this plan, protected once
    const plan = parsePlanObject(estatePlan());
    if (!plan.ok) throw new Error('estate plan is invalid');
    const template = synthesizeTemplate(plan.plan);
    await protect('data', 'run-1', minutesAfter(0));
    const resolve = { region: RECOVERY, stackName: stackNameFor(plan.plan), accountId: '123456789012' };
    const fn = lambdaFunctions(template, resolve).find(
      (f) => f.handlerModule === 'lambdas/handlers/publish-rpo-age.ts',
    );
    await createStateTable(clients, String(fn?.environment.STATE_TABLE_NAME));
    iamLedger.clear();

    // Act: what EventBridge Scheduler does every period
    const run = await runScheduleTarget({
      template,
      schedule: 'RpoMonitoringSchedule',
      resolve,
    });

    // Assess
    expect((run.result as { tiers: { tier: string }[] }).tiers.map((t) => t.tier)).toEqual(['data', 'app']);
    const decisions = iamLedger.records.filter(
      (r) => r.handlerModule === 'lambdas/handlers/publish-rpo-age.ts',
    );
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.filter((d) => !d.allowed)).toEqual([]);
  });

  it('publishes every tier as missing, and alarming, before anything was protected', async () => {
    // Act
    const result = await publish(minutesAfter(0));

    // Assess
    expect(result).toEqual({
      app: 'shop',
      at: T0,
      direction: 'forward',
      region: RECOVERY,
      tiers: [
        {
          tier: 'data',
          rpoSeconds: 3600,
          worstAgeSeconds: 'missing',
          resourcesWithoutRecoveryPoint: 1,
          withinRpo: false,
        },
        {
          tier: 'app',
          rpoSeconds: 14_400,
          worstAgeSeconds: 'missing',
          resourcesWithoutRecoveryPoint: 2,
          withinRpo: false,
        },
      ],
    });
    expect(emitted).toHaveLength(2);
    const data = byTier().get('data');
    expect(data).toMatchObject({
      App: 'shop',
      Tier: 'data',
      RecoveryPointAgeSeconds: MISSING_AGE_SECONDS,
      ResourcesWithoutRecoveryPoint: 1,
    });
    expect(byTier().get('app')).toMatchObject({
      RecoveryPointAgeSeconds: MISSING_AGE_SECONDS,
      ResourcesWithoutRecoveryPoint: 2,
    });
  });

  it('publishes EMF in namespace Pendulum with exactly the App and Tier dimensions the alarms use', async () => {
    // Act
    await publish(minutesAfter(0));

    // Assess
    for (const doc of emitted) {
      expect(doc._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'Pendulum',
          Dimensions: [['App', 'Tier']],
          Metrics: [
            { Name: 'RecoveryPointAgeSeconds', Unit: 'Seconds' },
            { Name: 'ResourcesWithoutRecoveryPoint', Unit: 'Count' },
          ],
        },
      ]);
      expect(doc).not.toHaveProperty('service');
    }
  });

  it("publishes the age of each tier's oldest newest recovery point once the tiers are protected", async () => {
    // Prepare
    await protect('data', 'run-1', minutesAfter(0));
    await protect('app', 'run-1', minutesAfter(10));
    await protect('data', 'run-2', minutesAfter(30));

    // Act
    const result = await publish(minutesAfter(45));

    // Assess
    expect(result.tiers).toEqual([
      {
        tier: 'data',
        rpoSeconds: 3600,
        worstAgeSeconds: 15 * 60,
        resourcesWithoutRecoveryPoint: 0,
        withinRpo: true,
      },
      {
        tier: 'app',
        rpoSeconds: 14_400,
        worstAgeSeconds: 35 * 60,
        resourcesWithoutRecoveryPoint: 0,
        withinRpo: true,
      },
    ]);
    expect(byTier().get('data')).toMatchObject({
      RecoveryPointAgeSeconds: 900,
      ResourcesWithoutRecoveryPoint: 0,
    });
    expect(byTier().get('app')).toMatchObject({
      RecoveryPointAgeSeconds: 2100,
      ResourcesWithoutRecoveryPoint: 0,
    });
  });

  it('publishes an age above the RPO when protection stopped', async () => {
    // Prepare
    await protect('data', 'run-1', minutesAfter(0));

    // Act
    const result = await publish(minutesAfter(120));

    // Assess
    expect(result.tiers[0]).toEqual({
      tier: 'data',
      rpoSeconds: 3600,
      worstAgeSeconds: 7200,
      resourcesWithoutRecoveryPoint: 0,
      withinRpo: false,
    });
    expect(byTier().get('data')).toMatchObject({ RecoveryPointAgeSeconds: 7200 });
  });

  it('emits nothing when Powertools metrics are disabled', async () => {
    // Prepare
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';

    // Act
    const result = await publish(minutesAfter(0));

    // Assess
    expect(result.tiers).toHaveLength(2);
    expect(emitted).toEqual([]);
  });
});
