import { describe, expect, it } from 'vitest';
import {
  type FailbackResourceInput,
  planFailbackResources,
} from '../../lambdas/failback/plan-failback-resources';
import { samplePlanWith } from '../support/sample-plan';

const plan = samplePlanWith((p) => {
  p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: 'shop-aurora' } });
  p.failback = { ...p.failback, freeze: 'none' };
});

const clusterEntry = {
  kind: 'aurora' as const,
  tier: 'data',
  role: 'shop-aurora',
  source: 'shop-aurora',
  recovered: 'shop-aurora-pf-1a2b3c4d',
  endpoint: 'shop-aurora-pf-1a2b3c4d.cluster-x.us-west-2.rds.amazonaws.com',
  readerEndpoint: 'shop-aurora-pf-1a2b3c4d.cluster-ro-x.us-west-2.rds.amazonaws.com',
  members: [
    { id: 'shop-aurora-pf-1a2b3c4d-1', writer: true },
    { id: 'shop-aurora-pf-1a2b3c4d-2', writer: false },
  ],
};

const input = (over: Partial<FailbackResourceInput> = {}): FailbackResourceInput => ({
  plan,
  targetRegion: 'us-east-1',
  recovered: [clusterEntry],
  recoveryInstances: [],
  recoveryDatabases: [],
  staleInstances: [],
  staleDatabases: [],
  recoveryClusters: ['shop-aurora-pf-1a2b3c4d'],
  staleClusters: ['shop-aurora'],
  estate: { placement: { subnets: {}, dbSubnetGroups: {} }, instances: [], databases: [] },
  ...over,
});

describe('an Aurora cluster failing back', () => {
  it('comes home by snapshot as a cluster; the stale cluster is set aside and the recovery cluster retired', () => {
    // Act
    const result = planFailbackResources(input());
    // Assess
    expect(result.databases).toEqual([
      {
        source: 'shop-aurora',
        recoveryId: 'shop-aurora-pf-1a2b3c4d',
        role: 'shop-aurora',
        tier: 'data',
        strategy: 'snapshot',
        kind: 'aurora',
      },
    ]);
    expect(result.stale).toEqual([{ kind: 'aurora', id: 'shop-aurora', role: 'shop-aurora', tier: 'data' }]);
    expect(result.retire).toEqual([
      { kind: 'aurora', id: 'shop-aurora-pf-1a2b3c4d', role: 'shop-aurora', tier: 'data' },
    ]);
    expect(result.decisions.find((d) => d.subject === 'shop-aurora-pf-1a2b3c4d')).toMatchObject({
      decision: 'snapshot home',
      reason: expect.stringMatching(/cluster snapshot is copied to us-east-1/),
    });
    expect(result.unknown).toEqual([]);
  });

  it('switches a promoted global database member back: nothing copied, set aside or retired', () => {
    // Prepare: failover promoted the member in the recovery region
    const promoted = {
      ...clusterEntry,
      recovered: 'shop-aurora-west',
      from: 'shop-global',
      promotedBy: 'failover',
    };

    // Act
    const result = planFailbackResources(
      input({ recovered: [promoted], recoveryClusters: ['shop-aurora-west'] }),
    );

    // Assess
    expect(result.databases).toEqual([
      {
        source: 'shop-aurora',
        recoveryId: 'shop-aurora-west',
        role: 'shop-aurora',
        tier: 'data',
        strategy: 'switchover',
        kind: 'aurora',
        globalClusterIdentifier: 'shop-global',
      },
    ]);
    expect(result.stale).toEqual([]);
    expect(result.retire).toEqual([]);
    expect(result.decisions).toEqual([
      expect.objectContaining({ subject: 'shop-aurora-west', decision: 'switch back' }),
    ]);
  });

  it('stops on a cluster made in the recovery region while failed over, whose writes would not come home', () => {
    // Prepare: a cluster with the app's tag that the failover did not recover
    const adhoc = {
      kind: 'aurora' as const,
      id: 'orders-adhoc',
      tags: { 'pendulum:app': 'shop' },
      subnetIds: [],
    };
    const recovered = {
      kind: 'aurora' as const,
      id: 'shop-aurora-pf-1a2b3c4d',
      tags: { 'pendulum:app': 'shop' },
      subnetIds: [],
    };
    const estate = {
      placement: { subnets: {}, dbSubnetGroups: {} },
      instances: [],
      databases: [adhoc, recovered],
    };

    // Act
    const stopped = planFailbackResources(input({ estate }));
    const kept = planFailbackResources(input({ estate, prefer: 'current' }));

    // Assess: the unknown cluster stops the failback (or is left in place); the recovered one is known
    expect(stopped.unknown.map((u) => [u.kind, u.id, u.outcome])).toEqual([
      ['aurora', 'orders-adhoc', 'conflict'],
    ]);
    expect(kept.unknown.map((u) => [u.kind, u.id, u.outcome])).toEqual([
      ['aurora', 'orders-adhoc', 'leave in place'],
    ]);
  });

  it('is reported missing, and not retired, when the recovery cluster is gone', () => {
    const result = planFailbackResources(input({ recoveryClusters: [] }));
    expect(result.databases).toEqual([]);
    expect(result.retire).toEqual([]);
    expect(result.decisions).toContainEqual({
      subject: 'shop-aurora-pf-1a2b3c4d',
      decision: 'missing',
      reason: expect.stringMatching(/cluster no longer exists/),
    });
  });

  it('sets no stale cluster aside when the primary cluster is gone', () => {
    const result = planFailbackResources(input({ staleClusters: [] }));
    expect(result.stale).toEqual([]);
    expect(result.databases).toHaveLength(1);
  });
});
