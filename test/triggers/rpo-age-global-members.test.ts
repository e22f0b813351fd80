/**
 * publish-rpo-age with an Aurora global database member in the plan, run as its schedule target
 * under its deployed role against moto: a member replicated into the recovery region counts as
 * protected now (it has no snapshot points, and must not keep the tier's alarm firing); a global
 * database with no member there leaves the cluster without a recovery point.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { runScheduleTarget } from '../../local/scheduled-target';
import { lambdaFunctions } from '../../local/synthesized-app';
import { estatePlan, PRIMARY, RECOVERY } from '../recovery-points/estate';
import { createGlobalDatabase } from '../recovery-points/global-database-estate';
import { localAwsForTests } from '../support/local-aws';
import { createStateTable } from '../support/state-table';

const aws = localAwsForTests(RECOVERY);
const clients = () => createAwsClients();

function planNaming(global: string): PlanInput {
  const plan = estatePlan();
  plan.tiers[0]?.resources.push({
    aurora: { clusterIdentifier: 'shop-orders', globalClusterIdentifier: global },
  });
  return { ...plan, failback: { freeze: 'none' } } as PlanInput;
}

async function publishAs(input: PlanInput) {
  const parsed = parsePlanObject(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const template = synthesizeTemplate(parsed.plan);
  const resolve = { region: RECOVERY, stackName: stackNameFor(parsed.plan), accountId: '123456789012' };
  const fn = lambdaFunctions(template, resolve).find(
    (f) => f.handlerModule === 'lambdas/handlers/publish-rpo-age.ts',
  );
  await createStateTable(clients(), String(fn?.environment.STATE_TABLE_NAME));
  // The task's configuration, as its function environment has it.
  process.env.PENDULUM_PLAN = JSON.stringify(parsed.plan);
  process.env.STATE_TABLE_NAME = String(fn?.environment.STATE_TABLE_NAME);
  process.env.ARTIFACT_BUCKET_NAME = String(fn?.environment.ARTIFACT_BUCKET_NAME);
  iamLedger.clear();
  const run = await runScheduleTarget({ template, schedule: 'RpoMonitoringSchedule', resolve });
  expect(iamLedger.records.filter((r) => !r.allowed)).toEqual([]);
  return run.result as { tiers: { tier: string; resourcesWithoutRecoveryPoint: number }[] };
}

describe('RPO age of an Aurora global database member', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['PENDULUM_PLAN', 'STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME'])
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
  });
  beforeEach(async () => {
    await aws.reset();
    await createGlobalDatabase((region) => clients().rds(region), {
      primary: PRIMARY,
      recovery: RECOVERY,
      cluster: 'shop-orders',
    });
  });

  it('counts a member replicated into the recovery region as protected now', async () => {
    // Act
    const result = await publishAs(planNaming('shop-global'));
    // Assess: only shop-db (never protected here) lacks a point in the data tier
    expect(result.tiers.find((t) => t.tier === 'data')?.resourcesWithoutRecoveryPoint).toBe(1);
  });

  it('counts the cluster without a recovery point when its global database has no member there', async () => {
    // Act
    const result = await publishAs(planNaming('billing-global'));
    // Assess
    expect(result.tiers.find((t) => t.tier === 'data')?.resourcesWithoutRecoveryPoint).toBe(2);
  });
});
