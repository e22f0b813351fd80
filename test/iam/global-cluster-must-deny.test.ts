/**
 * Who may promote a member of an Aurora global database, asked of the synthesized role policies
 * with the evaluator that enforces every workflow run: recover-tier, for the plan's global
 * databases only; no other role, and no role at all when the plan names no global database. Each
 * denial has an allowed counterpart so it cannot pass by denying everything.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PROMOTED_BY_TAG } from '../../lambdas/failover/global-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { lambdaFunctions } from '../../local/synthesized-app';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

const RECOVERY = 'us-west-2';
const TARGET = 'arn:aws:rds:us-west-2:123456789012:cluster:shop-aurora-west';

function iamOf(plan: Plan): { iam: LocalIam; handlers: string[] } {
  const template = synthesizeTemplate(plan);
  return {
    iam: localIamFor(template, {
      region: RECOVERY,
      stackName: stackNameFor(plan),
      accountId: '123456789012',
    }),
    handlers: [...new Set(lambdaFunctions(template).map((f) => f.handlerModule))],
  };
}

async function whoMay(of: { iam: LocalIam; handlers: string[] }, operation: string, input: unknown) {
  const allowed: string[] = [];
  for (const handler of of.handlers)
    if (
      (await of.iam.decide(handler, { service: 'RDS', operation, input, region: RECOVERY })).every(
        (d) => d.allowed,
      )
    )
      allowed.push(handler);
  return allowed.sort();
}

describe('who may promote a global database member', () => {
  localAwsForTests(RECOVERY);
  const plan = samplePlanWith((p) => {
    p.tiers[0]?.resources.push({
      aurora: { clusterIdentifier: 'shop-aurora', role: 'orders', globalClusterIdentifier: 'shop-global' },
    });
    p.failback = { ...p.failback, freeze: 'none' };
  });
  let global: { iam: LocalIam; handlers: string[] };
  let none: { iam: LocalIam; handlers: string[] };
  const promote = (id: string) => ({ GlobalClusterIdentifier: id, TargetDbClusterIdentifier: TARGET });

  beforeAll(() => {
    global = iamOf(plan);
    none = iamOf(samplePlan());
  });

  it("only recover-tier switches over or fails over, and only the plan's global database", async () => {
    for (const operation of ['SwitchoverGlobalCluster', 'FailoverGlobalCluster']) {
      expect(await whoMay(global, operation, promote('shop-global'))).toEqual([
        'lambdas/handlers/recover-tier.ts',
      ]);
      expect(await whoMay(global, operation, promote('billing-global'))).toEqual([]);
      expect(await whoMay(none, operation, promote('shop-global'))).toEqual([]);
    }
  });

  it('only sync-home switches back, to the primary-region member, and never fails over', async () => {
    const home = {
      GlobalClusterIdentifier: 'shop-global',
      TargetDbClusterIdentifier: 'arn:aws:rds:us-east-1:123456789012:cluster:shop-aurora',
    };
    expect(await whoMay(global, 'SwitchoverGlobalCluster', home)).toEqual(['lambdas/handlers/sync-home.ts']);
    expect(await whoMay(global, 'FailoverGlobalCluster', home)).toEqual([]);
    expect(
      await whoMay(global, 'SwitchoverGlobalCluster', { ...home, GlobalClusterIdentifier: 'billing-global' }),
    ).toEqual([]);
  });

  it('recover-tier may tag a recovery-region cluster only with how it promoted it, nothing else', async () => {
    const tagging = (tags: Record<string, string>) => ({
      ResourceName: TARGET,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    });
    const recorded = { [PROMOTED_BY_TAG]: 'failover', [TAG.failover]: 'fo-1' };
    expect(await whoMay(global, 'AddTagsToResource', tagging(recorded))).toContain(
      'lambdas/handlers/recover-tier.ts',
    );
    expect(await whoMay(global, 'AddTagsToResource', tagging({ ...recorded, team: 'x' }))).not.toContain(
      'lambdas/handlers/recover-tier.ts',
    );
    expect(await whoMay(global, 'AddTagsToResource', tagging({ [TAG.failover]: 'fo-1' }))).not.toContain(
      'lambdas/handlers/recover-tier.ts',
    );
    expect(await whoMay(none, 'AddTagsToResource', tagging(recorded))).not.toContain(
      'lambdas/handlers/recover-tier.ts',
    );
  });

  it("the tasks that promote, check, preflight, switch back and measure the RPO describe the plan's global database only", async () => {
    expect(
      await whoMay(global, 'DescribeGlobalClusters', { GlobalClusterIdentifier: 'shop-global' }),
    ).toEqual([
      'lambdas/handlers/check-tier-ready.ts',
      'lambdas/handlers/choose-recovery-points.ts',
      'lambdas/handlers/plan-failover.ts',
      'lambdas/handlers/publish-rpo-age.ts',
      'lambdas/handlers/recover-tier.ts',
      'lambdas/handlers/sync-home.ts',
    ]);
    expect(
      await whoMay(global, 'DescribeGlobalClusters', { GlobalClusterIdentifier: 'billing-global' }),
    ).toEqual([]);
  });
});
