import { describe, expect, it } from 'vitest';
import type { RecoveredResource } from '../../lambdas/failover/recovered-resource';
import { nextRecoveryBatch } from '../../lambdas/failover/recovery-batch';
import type { SelectedResource } from '../../lambdas/failover/recovery-selection';

const selected = (kind: 'ec2' | 'rds', source: string, role: string): SelectedResource => ({
  kind,
  source,
  role,
  tier: 'app',
  point: { id: `ami-${source}` } as SelectedResource['point'],
  ageSeconds: 0,
  withinRpo: true,
});
const recorded = (r: SelectedResource): RecoveredResource => ({
  kind: r.kind,
  source: r.source,
  role: r.role,
  tier: r.tier,
  recoveredId: `x-${r.source}`,
  pointId: r.point.id,
  created: true,
});

describe('recovering a tier in batches', () => {
  const tier = [
    selected('ec2', 'i-1', 'web'),
    selected('ec2', 'i-2', 'api'),
    selected('ec2', 'i-3', 'web'),
    selected('rds', 'shop-db', 'shop-db'),
    selected('ec2', 'i-4', 'web'),
  ];

  it('takes the first resources not yet in the inventory, at most the batch size', () => {
    // Act
    const first = nextRecoveryBatch(tier, [], 2);
    const second = nextRecoveryBatch(tier, first.batch.map(recorded), 2);
    const third = nextRecoveryBatch(tier, [...first.batch, ...second.batch].map(recorded), 2);
    // Assess
    expect([first, second, third].map((b) => [b.batch.map((r) => r.source), b.last])).toEqual([
      [['i-1', 'i-2'], false],
      [['i-3', 'shop-db'], false],
      [['i-4'], true],
    ]);
  });

  it('resumes where the inventory says, whatever order it was recorded in', () => {
    const done = [tier[3], tier[0]].map((r) => recorded(r as SelectedResource));
    expect(nextRecoveryBatch(tier, done, 10).batch.map((r) => r.source)).toEqual(['i-2', 'i-3', 'i-4']);
  });

  it('is done with nothing to start once every resource is recorded', () => {
    expect(nextRecoveryBatch(tier, tier.map(recorded), 2)).toMatchObject({ batch: [], last: true });
  });

  it('numbers each instance within its role across the whole tier, so subnets spread the same in any batch', () => {
    const { ordinals } = nextRecoveryBatch(tier, tier.slice(0, 3).map(recorded), 1);
    expect(Object.fromEntries(ordinals)).toMatchObject({ 'i-1': 0, 'i-3': 1, 'i-4': 2, 'i-2': 0 });
  });
});
