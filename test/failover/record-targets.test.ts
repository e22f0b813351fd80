import { describe, expect, it } from 'vitest';
import { desiredRecords, targetsFromInventory } from '../../lambdas/failover/record-targets';
import type { RecoveredResource } from '../../lambdas/failover/recovered-resource';
import type { HostedZonePlan } from '../../lambdas/plan/plan-schema';

const cluster: RecoveredResource = {
  kind: 'aurora',
  source: 'shop-aurora',
  role: 'orders',
  tier: 'data',
  recoveredId: 'shop-aurora-pf-1a2b3c4d',
  pointId: 'pendulum-shop-rp-point',
  created: true,
  endpoint: 'shop-aurora-pf-1a2b3c4d.cluster-abc.us-west-2.rds.amazonaws.com',
  readerEndpoint: 'shop-aurora-pf-1a2b3c4d.cluster-ro-abc.us-west-2.rds.amazonaws.com',
  members: [{ id: 'shop-aurora-pf-1a2b3c4d-1', writer: true }],
};

describe('DNS targets of a recovered Aurora cluster', () => {
  it('names its writer endpoint by default and its reader endpoint where the record says reader', () => {
    // Prepare
    const zone: HostedZonePlan = {
      name: 'shop.example.com',
      private: false,
      records: [
        { name: 'orders.shop.example.com', type: 'CNAME', ttl: 60, target: { database: 'shop-aurora' } },
        {
          name: 'orders-ro.shop.example.com',
          type: 'CNAME',
          ttl: 60,
          target: { database: 'shop-aurora', endpoint: 'reader' },
        },
      ],
    };
    // Act
    const records = desiredRecords(zone, 'us-west-2', targetsFromInventory([cluster], false), []);
    // Assess
    expect(records.map((r) => [r.Name, r.ResourceRecords?.[0]?.Value])).toEqual([
      ['orders.shop.example.com.', cluster.endpoint],
      ['orders-ro.shop.example.com.', cluster.readerEndpoint],
    ]);
  });
});
