import { describe, expect, it } from 'vitest';
import { planFailbackResources } from '../../lambdas/failback/plan-failback-resources';
import { samplePlan } from '../support/sample-plan';

describe('what comes home', () => {
  const plan = samplePlan();
  const recovered = [
    {
      kind: 'rds' as const,
      tier: 'data',
      role: 'shop-db',
      source: 'shop-db',
      recovered: 'shop-db-pf-1a2b3c4d',
    },
    {
      kind: 'ec2' as const,
      tier: 'app',
      role: 'web',
      source: 'i-0000000000000web1',
      recovered: 'i-0000000000000rec1',
    },
    {
      kind: 'ec2' as const,
      tier: 'app',
      role: 'web',
      source: 'i-0000000000000web2',
      recovered: 'i-0000000000000rec2',
    },
  ];

  it('brings home recovered and added instances, not terminated ones, and sets the stale primary aside', () => {
    // Act
    const result = planFailbackResources({
      plan,
      targetRegion: 'us-east-1',
      recovered,
      recoveryInstances: [
        { id: 'i-0000000000000rec1', role: 'web', source: 'i-0000000000000web1' },
        { id: 'i-00000000000added1', role: 'web' },
      ],
      recoveryDatabases: ['shop-db-pf-1a2b3c4d'],
      staleInstances: ['i-0000000000000web1', 'i-0000000000000web2'],
      staleDatabases: ['shop-db'],
    });
    // Assess
    expect(result.instances.map((i) => [i.recoveryId, i.source ?? null])).toEqual([
      ['i-0000000000000rec1', 'i-0000000000000web1'],
      ['i-00000000000added1', null],
    ]);
    expect(result.databases).toEqual([
      {
        source: 'shop-db',
        recoveryId: 'shop-db-pf-1a2b3c4d',
        role: 'shop-db',
        tier: 'data',
        strategy: 'snapshot',
      },
    ]);
    expect(result.stale.map((s) => s.id).sort()).toEqual([
      'i-0000000000000web1',
      'i-0000000000000web2',
      'shop-db',
    ]);
    expect(result.retire.map((r) => r.id).sort()).toEqual(
      ['i-00000000000added1', 'i-0000000000000rec1', 'shop-db-pf-1a2b3c4d'].sort(),
    );
    const terminated = result.decisions.find((d) => d.subject === 'i-0000000000000rec2');
    expect(terminated).toMatchObject({ decision: 'do not bring home' });
    expect(terminated?.reason).toMatch(/terminated/);
    expect(result.decisions.find((d) => d.subject === 'i-00000000000added1')?.reason).toMatch(/added/);
  });

  it('ignores instances that belong to no planned role', () => {
    const result = planFailbackResources({
      plan,
      targetRegion: 'us-east-1',
      recovered: [],
      recoveryInstances: [{ id: 'i-00000000000other1', role: 'batch' }],
      recoveryDatabases: [],
      staleInstances: [],
      staleDatabases: [],
    });
    expect(result.instances).toEqual([]);
  });
});
