import { describe, expect, it } from 'vitest';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';
import { MISSING_AGE_SECONDS } from '../../lambdas/rpo/dr-metric-names';
import { ageMetricValue, recoveryPointAges } from '../../lambdas/rpo/recovery-point-age';
import { BASE, point } from '../recovery-points/points';

function plan(tiers: PlanInput['tiers']): Plan {
  const result = parsePlanObject({
    app: 'shop',
    primaryRegion: 'us-east-1',
    recoveryRegion: 'us-west-2',
    tiers,
    // No readOnly freeze for a cluster: a plan naming one chooses another.
    failback: { freeze: 'none' },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.plan;
}

const WEB_A = 'i-0aaaaaaaaaaaaaaa1';
const WEB_B = 'i-0bbbbbbbbbbbbbbb2';

describe('recoveryPointAges', () => {
  const shop = plan([
    {
      name: 'data',
      rpo: '1h',
      rto: '30m',
      resources: [
        { rds: { identifier: 'shop-db' } },
        { rds: { identifier: 'shop-replicated', replicaIdentifier: 'shop-replica' } },
      ],
    },
    {
      name: 'app',
      rpo: '4h',
      rto: '1h',
      resources: [{ ec2: { role: 'web', tag: { key: 'pendulum-role', value: 'web' } } }],
    },
  ]);

  it('gives each resource the age of its newest available point and each tier the worst of them', () => {
    // Prepare
    const points = [
      point({ kind: 'db-snapshot', id: 'snap-old', source: 'shop-db', tier: 'data', minutesAgo: 95 }),
      point({ kind: 'db-snapshot', id: 'snap-new', source: 'shop-db', tier: 'data', minutesAgo: 20 }),
      point({
        kind: 'db-snapshot',
        id: 'snap-copying',
        source: 'shop-db',
        tier: 'data',
        minutesAgo: 2,
        state: 'pending',
      }),
      point({
        kind: 'db-replica',
        id: 'shop-replica',
        source: 'shop-replicated',
        tier: 'data',
        minutesAgo: 0,
      }),
      point({ source: WEB_A, protectRun: 'run-2', minutesAgo: 50 }),
      point({ source: WEB_B, protectRun: 'run-2', minutesAgo: 50 }),
      point({ source: WEB_A, protectRun: 'run-1', minutesAgo: 290 }),
    ];

    // Act
    const [data, app] = recoveryPointAges(shop, points, BASE);

    // Assess
    expect(data).toMatchObject({
      tier: 'data',
      rpoSeconds: 3600,
      worstAgeSeconds: 1200,
      missing: 0,
      withinRpo: true,
    });
    expect(data?.resources).toEqual([
      {
        kind: 'rds',
        role: 'shop-db',
        source: 'shop-db',
        ageSeconds: 1200,
        point: { kind: 'db-snapshot', id: 'snap-new', takenAt: '2026-03-01T11:40:00.000Z' },
      },
      {
        kind: 'rds',
        role: 'shop-replicated',
        source: 'shop-replicated',
        ageSeconds: 0,
        point: { kind: 'db-replica', id: 'shop-replica', takenAt: BASE.toISOString() },
      },
    ]);
    expect(app).toMatchObject({
      tier: 'app',
      rpoSeconds: 14_400,
      worstAgeSeconds: 3000,
      missing: 0,
      withinRpo: true,
    });
    expect(app?.resources.map((r) => [r.source, r.ageSeconds])).toEqual([
      [WEB_A, 3000],
      [WEB_B, 3000],
    ]);
  });

  it('counts a resource without an available point as missing and its tier as infinitely old', () => {
    // Prepare: the database's only point is still being copied; the web role has no point at all.
    const points = [
      point({ kind: 'db-snapshot', source: 'shop-db', tier: 'data', minutesAgo: 1, state: 'pending' }),
      point({ kind: 'db-replica', id: 'shop-replica', source: 'shop-replicated', tier: 'data' }),
    ];

    // Act
    const [data, app] = recoveryPointAges(shop, points, BASE);

    // Assess
    expect(data).toMatchObject({ worstAgeSeconds: Number.POSITIVE_INFINITY, missing: 1, withinRpo: false });
    expect(data?.resources[0]).toEqual({
      kind: 'rds',
      role: 'shop-db',
      source: 'shop-db',
      ageSeconds: 'missing',
    });
    expect(app).toMatchObject({ worstAgeSeconds: Number.POSITIVE_INFINITY, missing: 1, withinRpo: false });
    expect(app?.resources).toEqual([{ kind: 'ec2', role: 'web', source: 'role web', ageSeconds: 'missing' }]);
  });

  it('judges a tag-selected role by the instances its newest protection run captured', () => {
    // Prepare: WEB_B left the selection after run-1; only WEB_A was captured by run-2.
    const points = [
      point({ source: WEB_A, protectRun: 'run-2', minutesAgo: 10 }),
      point({ source: WEB_A, protectRun: 'run-1', minutesAgo: 600 }),
      point({ source: WEB_B, protectRun: 'run-1', minutesAgo: 600 }),
    ];

    // Act
    const [, app] = recoveryPointAges(shop, points, BASE);

    // Assess
    expect(app?.resources.map((r) => r.source)).toEqual([WEB_A]);
    expect(app?.worstAgeSeconds).toBe(600);
  });

  it('names instances by id even when one has no point, and reports a tier outside its RPO', () => {
    // Prepare
    const byId = plan([
      {
        name: 'app',
        rpo: '1h',
        rto: '1h',
        resources: [{ ec2: { role: 'web', ids: [WEB_A, WEB_B] } }, { rds: { identifier: 'shop-reporting' } }],
      },
    ]);
    const points = [point({ source: WEB_A, minutesAgo: 90 })];

    // Act
    const [app] = recoveryPointAges(byId, points, BASE);

    // Assess
    expect(app?.resources.map((r) => [r.kind, r.source, r.ageSeconds])).toEqual([
      ['ec2', WEB_A, 5400],
      ['ec2', WEB_B, 'missing'],
      ['rds', 'shop-reporting', 'missing'],
    ]);
    expect(app).toMatchObject({ missing: 2, withinRpo: false });
  });

  it('finds a tier over its RPO when every resource has a point but one is too old', () => {
    const [data] = recoveryPointAges(
      shop,
      [
        point({ kind: 'db-snapshot', source: 'shop-db', tier: 'data', minutesAgo: 61 }),
        point({ kind: 'db-replica', id: 'shop-replica', source: 'shop-replicated', tier: 'data' }),
      ],
      BASE,
    );
    expect(data).toMatchObject({ worstAgeSeconds: 3660, missing: 0, withinRpo: false });
  });
});

describe('recoveryPointAges of Aurora clusters', () => {
  it('ages a cluster by its newest available cluster snapshot, and counts one without as missing', () => {
    // Prepare
    const orders = plan([
      {
        name: 'orders',
        rpo: '1h',
        rto: '1h',
        resources: [
          { aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } },
          { aurora: { clusterIdentifier: 'shop-ledger' } },
        ],
      },
    ]);
    const points = [
      point({
        kind: 'db-cluster-snapshot',
        id: 'cs-old',
        source: 'shop-aurora',
        tier: 'orders',
        minutesAgo: 90,
      }),
      point({
        kind: 'db-cluster-snapshot',
        id: 'cs-new',
        source: 'shop-aurora',
        tier: 'orders',
        minutesAgo: 30,
      }),
    ];

    // Act
    const [tier] = recoveryPointAges(orders, points, BASE);

    // Assess
    expect(tier?.resources).toEqual([
      {
        kind: 'aurora',
        role: 'orders',
        source: 'shop-aurora',
        ageSeconds: 1800,
        point: { kind: 'db-cluster-snapshot', id: 'cs-new', takenAt: expect.any(String) },
      },
      { kind: 'aurora', role: 'shop-ledger', source: 'shop-ledger', ageSeconds: 'missing' },
    ]);
    expect(tier).toMatchObject({ missing: 1, withinRpo: false });
  });
});

describe('ageMetricValue', () => {
  it('publishes an age as it is, and a missing point as ten years', () => {
    expect(ageMetricValue(1200)).toBe(1200);
    expect(ageMetricValue(Number.POSITIVE_INFINITY)).toBe(MISSING_AGE_SECONDS);
    expect(MISSING_AGE_SECONDS).toBe(315_360_000);
  });
});
