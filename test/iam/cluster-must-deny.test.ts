/**
 * What no task role may do with Aurora clusters, asked of the synthesized role policies of a plan
 * that names one, with the same evaluator and model of each call that enforce every workflow run.
 * Each denial has an allowed counterpart so it cannot pass by denying everything.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { episodeDbIdentifier } from '../../lambdas/failover/rds-recovery';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { lambdaFunctions } from '../../local/synthesized-app';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

// Plans naming a cluster are refused until failback brings clusters home (aurora-support).
vi.mock('../../lambdas/plan/aurora-support', () => ({ auroraRefusal: () => undefined }));

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const POINT = 'pendulum-shop-rp-shop-aurora-20260101t000000z-abcdef';
const REVERSE_POINT = 'pendulum-shop-rv-shop-aurora-pf-1a2b3c4d-20260101t000000z-abcdef';

describe('what no Pendulum role may do with Aurora clusters', () => {
  localAwsForTests(RECOVERY);
  const plan: Plan = samplePlanWith((p) => {
    p.tiers.push({
      name: 'orders',
      rpo: '1h',
      rto: '1h',
      resources: [{ aurora: { clusterIdentifier: 'shop-aurora' } }],
    });
    p.failback = { ...p.failback, freeze: 'none' };
  });
  let iam: LocalIam;
  let handlers: string[];

  const allowed = async (handler: string, operation: string, input: unknown, region: string) =>
    (await iam.decide(`lambdas/handlers/${handler}.ts`, { service: 'RDS', operation, input, region })).every(
      (d) => d.allowed,
    );
  const whoMay = async (operation: string, input: unknown, region: string) => {
    const may: string[] = [];
    for (const handler of handlers) {
      const decisions = await iam.decide(handler, { service: 'RDS', operation, input, region });
      if (decisions.every((d) => d.allowed)) may.push(handler);
    }
    return may;
  };

  beforeAll(() => {
    const template = synthesizeTemplate(plan);
    iam = localIamFor(template, {
      region: RECOVERY,
      stackName: stackNameFor(plan),
      accountId: '123456789012',
    });
    handlers = [...new Set(lambdaFunctions(template).map((f) => f.handlerModule))];
  });

  it('no role deletes or modifies a cluster', async () => {
    for (const region of [PRIMARY, RECOVERY])
      for (const cluster of ['shop-aurora', episodeDbIdentifier('shop-aurora', '1a2b3c4d')]) {
        expect(
          await whoMay('DeleteDBCluster', { DBClusterIdentifier: cluster, SkipFinalSnapshot: true }, region),
        ).toEqual([]);
        expect(
          await allowed('protect-tier', 'ModifyDBCluster', { DBClusterIdentifier: cluster }, region),
        ).toBe(false);
      }
  });

  it('reconcile lists clusters in both regions (which recovered and stale ones still exist), and changes none', async () => {
    const list = { Filters: [{ Name: 'db-cluster-id', Values: ['shop-aurora'] }] };
    for (const region of [PRIMARY, RECOVERY]) {
      expect(await allowed('reconcile-failback', 'DescribeDBClusters', list, region), region).toBe(true);
      expect(
        await allowed(
          'reconcile-failback',
          'ModifyDBCluster',
          { DBClusterIdentifier: 'shop-aurora' },
          region,
        ),
      ).toBe(false);
    }
    expect(await allowed('reconcile-failback', 'DescribeDBClusters', list, 'eu-west-1')).toBe(false);
  });

  it('protect deletes only its own cluster snapshots, never one outside its prefixes', async () => {
    for (const region of [PRIMARY, RECOVERY]) {
      for (const own of [POINT, REVERSE_POINT])
        expect(await whoMay('DeleteDBClusterSnapshot', { DBClusterSnapshotIdentifier: own }, region)).toEqual(
          ['lambdas/handlers/protect-tier.ts'],
        );
      for (const other of [
        'rds:shop-aurora-2026-01-01-00-00',
        'pendulum-shop-final-1a2b3c4d-shop-aurora',
        'pendulum-shop-fb-1a2b3c4d-shop-aurora',
        'pendulum-billing-rp-shop-aurora-20260101t000000z-abcdef',
      ])
        expect(
          await allowed(
            'protect-tier',
            'DeleteDBClusterSnapshot',
            { DBClusterSnapshotIdentifier: other },
            region,
          ),
          `${other} in ${region}`,
        ).toBe(false);
    }
  });

  it("protect snapshots only the plan's cluster in the primary, and only the recovered one in the recovery region", async () => {
    const snapshot = (cluster: string, id: string) => ({
      DBClusterIdentifier: cluster,
      DBClusterSnapshotIdentifier: id,
    });
    const recovered = episodeDbIdentifier('shop-aurora', '1a2b3c4d');
    expect(
      await allowed('protect-tier', 'CreateDBClusterSnapshot', snapshot('shop-aurora', POINT), PRIMARY),
    ).toBe(true);
    expect(
      await allowed('protect-tier', 'CreateDBClusterSnapshot', snapshot(recovered, REVERSE_POINT), RECOVERY),
    ).toBe(true);
    // Another cluster, a name outside the prefix, or the stale primary while failed over.
    expect(
      await allowed('protect-tier', 'CreateDBClusterSnapshot', snapshot('billing-aurora', POINT), PRIMARY),
    ).toBe(false);
    expect(
      await allowed(
        'protect-tier',
        'CreateDBClusterSnapshot',
        snapshot('shop-aurora', 'my-snapshot'),
        PRIMARY,
      ),
    ).toBe(false);
    expect(
      await allowed(
        'protect-tier',
        'CreateDBClusterSnapshot',
        snapshot('shop-aurora', REVERSE_POINT),
        PRIMARY,
      ),
    ).toBe(false);
  });

  it('a plan without a cluster grants no cluster action to any role', () => {
    // Act
    const policies = JSON.stringify(synthesizeTemplate(samplePlan()));

    // Assess
    expect(policies.match(/rds:[A-Za-z]*DBCluster[A-Za-z]*/g) ?? []).toEqual([]);
  });
});
