/**
 * The write freeze of a plan with Aurora clusters: never none by default, and never readOnly, which
 * works through DB parameter groups and would leave a cluster taking writes during the final sync.
 */
import { describe, expect, it } from 'vitest';
import { freezeModeOf } from '../../lambdas/plan/failback-freeze';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { samplePlan } from '../support/sample-plan';

const hook = { lambda: { functionArn: 'arn:aws:lambda:us-west-2:123456789012:function:freeze' } };

/** The sample plan whose data tier is one Aurora cluster (no RDS instance), changed by `change`. */
function withCluster(change: (plan: PlanInput) => void = () => {}) {
  const plan = structuredClone(samplePlan()) as PlanInput;
  const data = plan.tiers[0] as PlanInput['tiers'][number];
  data.resources = [{ aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } }];
  const { 'shop-db': db = {}, ...others } = plan.placement ?? {};
  plan.placement = { ...others, orders: db };
  plan.dns = {
    zones: (plan.dns?.zones ?? []).map((z) => ({
      ...z,
      records: (z.records ?? []).filter((r) => !('database' in r.target)),
    })),
  };
  change(plan);
  return parsePlanObject(plan);
}

describe('the write freeze of a plan with Aurora clusters', () => {
  it('is readOnly by default, not none, and so is refused with its path', () => {
    // Act
    const result = withCluster();
    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        path: ['failback', 'freeze'],
        message: expect.stringMatching(
          /expected hook, maintenance or none: readOnly \(the default with databases\) cannot freeze writes to Aurora cluster shop-aurora/,
        ),
      }),
    );
  });

  it('is refused when the plan asks readOnly', () => {
    const result = withCluster((p) => (p.failback = { ...p.failback, freeze: 'readOnly' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/^expected hook, maintenance or none: readOnly cannot freeze writes to Aurora/),
    );
  });

  it('is accepted as hook, maintenance or none', () => {
    const hooked = withCluster((p) => (p.hooks = { ...p.hooks, preFailback: [hook] }));
    expect(hooked.ok && freezeModeOf(hooked.plan)).toBe('hook');
    const none = withCluster((p) => (p.failback = { ...p.failback, freeze: 'none' }));
    expect(none.ok && freezeModeOf(none.plan)).toBe('none');
  });

  it('offers a cluster no replica sync: failbackSync is refused on it at its path', () => {
    const result = withCluster((p) => {
      const data = p.tiers[0] as PlanInput['tiers'][number];
      data.resources = [
        { aurora: { clusterIdentifier: 'shop-aurora', role: 'orders', failbackSync: 'replica' } as never },
      ];
      p.failback = { ...p.failback, freeze: 'none' };
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path.join('.'))).toContainEqual(
      expect.stringMatching(/^tiers\.0\.resources\.0/),
    );
  });
});
