/**
 * What the failover roles may and may not do to Aurora clusters, asked of the synthesized role
 * policies with the evaluator that enforces every workflow run: restore only the plan's clusters,
 * by their episode names, from the app's cluster snapshots; create instances only in those; delete
 * no cluster (only retire-recovery-copies does, after failback, and only the restored ones: see
 * cluster-must-deny). Each denial has an allowed counterpart so it cannot pass by denying everything.
 */
import { CreateDBClusterCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { lambdaFunctions } from '../../local/synthesized-app';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan, samplePlanWith } from '../support/sample-plan';

const RECOVERY = 'us-west-2';
const POINT = 'pendulum-shop-rp-20260301t120000z-1a2b-shop-aurora';
const appTags = [{ Key: TAG.app, Value: 'shop' }];

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

describe('what failover may do to Aurora clusters', () => {
  localAwsForTests(RECOVERY);
  const plan = samplePlanWith((p) => {
    p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } });
    p.placement = { ...p.placement, orders: { dbSubnetGroup: 'shop-recovery-db' } };
    p.failback = { ...p.failback, freeze: 'none' };
  });
  let iam: LocalIam;
  let handlers: string[];
  const may = async (iamOfPlan: LocalIam, handler: string, operation: string, input: unknown) =>
    (
      await iamOfPlan.decide(`lambdas/handlers/${handler}.ts`, {
        service: 'RDS',
        operation,
        input,
        region: RECOVERY,
      })
    ).every((d) => d.allowed);
  const whoMay = async (operation: string, input: unknown) => {
    const allowed: string[] = [];
    for (const handler of handlers)
      if (
        (await iam.decide(handler, { service: 'RDS', operation, input, region: RECOVERY })).every(
          (d) => d.allowed,
        )
      )
        allowed.push(handler);
    return allowed;
  };
  const restore = (cluster: string, snapshot = POINT) => ({
    DBClusterIdentifier: cluster,
    SnapshotIdentifier: snapshot,
    Engine: 'aurora-postgresql',
    DBSubnetGroupName: 'shop-recovery-db',
    Tags: appTags,
  });

  beforeAll(() => {
    ({ iam, handlers } = iamOf(plan));
  });

  it('recover-tier restores the plan cluster by its episode name only, from the app cluster snapshots only', async () => {
    // Act
    const answers = await Promise.all([
      may(iam, 'recover-tier', 'RestoreDBClusterFromSnapshot', restore('shop-aurora-pf-1a2b3c4d')),
      may(iam, 'recover-tier', 'RestoreDBClusterFromSnapshot', restore('shop-aurora-dr-1a2b3c4d')),
      may(iam, 'recover-tier', 'RestoreDBClusterFromSnapshot', restore('shop-aurora')),
      may(iam, 'recover-tier', 'RestoreDBClusterFromSnapshot', restore('billing-aurora-pf-1a2b3c4d')),
      may(
        iam,
        'recover-tier',
        'RestoreDBClusterFromSnapshot',
        restore('shop-aurora-pf-1a2b3c4d', 'someone-elses'),
      ),
    ]);
    // Assess
    expect(answers).toEqual([true, true, false, false, false]);
    expect(await whoMay('RestoreDBClusterFromSnapshot', restore('shop-aurora-pf-1a2b3c4d'))).toEqual([
      'lambdas/handlers/recover-tier.ts',
    ]);
  });

  it('only check-tier-ready creates instances, and only in the clusters failover restores', async () => {
    // Prepare
    const instance = (id: string, cluster: string) => ({
      DBInstanceIdentifier: id,
      DBClusterIdentifier: cluster,
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.r6g.large',
      Tags: appTags,
    });
    // Act / Assess
    expect(
      await whoMay('CreateDBInstance', instance('shop-aurora-pf-1a2b3c4d-1', 'shop-aurora-pf-1a2b3c4d')),
    ).toEqual(['lambdas/handlers/check-tier-ready.ts']);
    expect(await whoMay('CreateDBInstance', instance('shop-aurora-pf-1a2b3c4d-2', 'billing-aurora'))).toEqual(
      [],
    );
    expect(await whoMay('CreateDBInstance', instance('billing-db-2', 'shop-aurora-pf-1a2b3c4d'))).toEqual([]);
  });

  it('no failover role deletes a cluster; only the retiring of recovery copies deletes a restored one', async () => {
    // Prepare: a cluster as failover restores it, tagged with the app
    await createAwsClients()
      .rds(RECOVERY)
      .send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: 'shop-aurora-pf-1a2b3c4d',
          Engine: 'aurora-postgresql',
          MasterUsername: 'orders',
          MasterUserPassword: 'orders-password',
          Tags: appTags,
        }),
      );
    const deleting = (cluster: string) => ({ DBClusterIdentifier: cluster, SkipFinalSnapshot: true });
    // Act / Assess
    for (const cluster of ['shop-aurora', 'billing-aurora', 'billing-aurora-pf-1a2b3c4d'])
      expect(await whoMay('DeleteDBCluster', deleting(cluster)), cluster).toEqual([]);
    expect(await whoMay('DeleteDBCluster', deleting('shop-aurora-pf-1a2b3c4d'))).toEqual([
      'lambdas/handlers/retire-recovery-copies.ts',
    ]);
  });

  it('a plan without clusters grants nothing of them', async () => {
    // Prepare
    const without = iamOf(samplePlan()).iam;
    // Act / Assess
    expect(
      await may(without, 'recover-tier', 'RestoreDBClusterFromSnapshot', restore('shop-aurora-pf-1a2b3c4d')),
    ).toBe(false);
    expect(await may(without, 'check-tier-ready', 'DescribeDBClusters', {})).toBe(false);
  });
});
