import { describe, expect, it } from 'vitest';
import { selectRecoveryPoints } from '../../lambdas/failover/recovery-selection';
import { BASE, point } from '../recovery-points/points';
import { samplePlanWith } from '../support/sample-plan';

describe('choosing the recovery point of an Aurora cluster', () => {
  const plan = samplePlanWith((p) => {
    p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } });
    p.failback = { ...p.failback, freeze: 'none' };
  });
  const dbPoint = point({
    kind: 'db-snapshot',
    id: 'pendulum-shop-rp-db',
    source: 'shop-db',
    role: 'shop-db',
    tier: 'data',
    minutesAgo: 5,
  });
  // The sample plan's app tier: one instance of each role, so only the cluster is in question.
  const instancePoints = ['web', 'api'].map((role, i) =>
    point({ id: `ami-${role}`, source: `i-0${i}`, role, tier: 'app', minutesAgo: 5 }),
  );
  const clusterPoint = (minutesAgo: number) =>
    point({
      kind: 'db-cluster-snapshot',
      id: `pendulum-shop-rp-aurora-${minutesAgo}`,
      source: 'shop-aurora',
      role: 'orders',
      tier: 'data',
      minutesAgo,
      cluster: { engine: 'aurora-postgresql', readers: 2 },
    });

  it('chooses the newest cluster snapshot of the cluster, as kind aurora in its role', () => {
    // Prepare
    const points = [dbPoint, ...instancePoints, clusterPoint(30), clusterPoint(10)];
    // Act
    const selection = selectRecoveryPoints(plan, points, { at: 'latest', now: BASE, force: false });
    // Assess
    const chosen = selection.tiers[0]?.resources.find((r) => r.kind === 'aurora');
    expect(chosen).toMatchObject({
      kind: 'aurora',
      source: 'shop-aurora',
      role: 'orders',
      point: { id: 'pendulum-shop-rp-aurora-10' },
      withinRpo: true,
    });
  });

  it('refuses, naming the cluster, when it has no point', () => {
    expect(() =>
      selectRecoveryPoints(plan, [dbPoint, ...instancePoints], { at: 'latest', now: BASE, force: false }),
    ).toThrow(/shop-aurora/);
  });

  it('takes a global database member as recovered from its global database, without a snapshot, its lag unknown', () => {
    // Prepare
    const global = samplePlanWith((p) => {
      p.tiers[0]?.resources.push({
        aurora: { clusterIdentifier: 'shop-aurora', role: 'orders', globalClusterIdentifier: 'shop-global' },
      });
      p.failback = { ...p.failback, freeze: 'none' };
    });
    // Act
    const selection = selectRecoveryPoints(global, [dbPoint, ...instancePoints], {
      at: 'latest',
      now: BASE,
      force: false,
    });
    // Assess
    const chosen = selection.tiers[0]?.resources.find((r) => r.kind === 'aurora');
    expect(chosen).toMatchObject({
      kind: 'aurora',
      source: 'shop-aurora',
      role: 'orders',
      point: { kind: 'global-member', id: 'shop-global' },
      withinRpo: true,
      replicationLag: 'unknown',
    });
  });
});
