import { describe, expect, it } from 'vitest';
import { homeTargets } from '../../lambdas/failback/home-targets';

describe('homeTargets', () => {
  it('points database records at a home cluster writer endpoint and reader records at its reader endpoint', () => {
    // Prepare: a home cluster and a home RDS instance, as the home inventory lists them.
    const resources = [
      {
        kind: 'aurora' as const,
        role: 'orders',
        source: 'orders',
        homeId: 'orders',
        endpoint: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
        readerEndpoint: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com',
      },
      { kind: 'rds' as const, role: 'db', source: 'app-db', homeId: 'app-db', endpoint: 'app-db.abc.rds' },
    ];

    // Act
    const targets = homeTargets(resources, true);

    // Assess
    expect(targets.databaseEndpoints).toEqual({
      orders: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
      'app-db': 'app-db.abc.rds',
    });
    expect(targets.readerEndpoints).toEqual({ orders: 'orders.cluster-ro-abc.eu-west-1.rds.amazonaws.com' });
  });
});
