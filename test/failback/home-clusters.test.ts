/**
 * The shape a home cluster is restored in, and the instances it is given, as pure rules.
 */
import { describe, expect, it } from 'vitest';
import { placeholderTargets } from '../../lambdas/failback/failback-dns';
import { homeMemberIds, homeShape } from '../../lambdas/failback/home-clusters';
import { TAG } from '../../lambdas/recovery-points/recovery-point';

const members = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ DBInstanceIdentifier: `m-${i}`, IsClusterWriter: i === 0 }));

describe('homeShape', () => {
  it('takes as many readers as the recovery cluster serves with now, of the stale writer class', () => {
    // Act
    const shape = homeShape(
      { DBClusterMembers: members(3) },
      { DBInstanceClass: 'db.r6g.xlarge' },
      { DBInstanceClass: 'db.r6g.large' },
    );
    // Assess
    expect(shape).toEqual({ readers: 2, instanceClass: 'db.r6g.xlarge' });
  });

  it('sizes by the recovery writer when the stale cluster is gone, and gives a headless cluster a writer', () => {
    expect(homeShape({ DBClusterMembers: [] }, undefined, { DBInstanceClass: 'db.r6g.large' })).toEqual({
      readers: 0,
      instanceClass: 'db.r6g.large',
    });
  });
});

describe('homeMemberIds', () => {
  it('names the writer first, then the readers recorded on the home cluster', () => {
    // Prepare
    const cluster = { TagList: [{ Key: TAG.readers, Value: '2' }] };
    // Act / Assess
    expect(homeMemberIds('shop-aurora', '1a2b3c4d', cluster)).toEqual([
      'shop-aurora-fb-1a2b3c4d-1',
      'shop-aurora-fb-1a2b3c4d-2',
      'shop-aurora-fb-1a2b3c4d-3',
    ]);
    expect(homeMemberIds('shop-aurora', '1a2b3c4d', { TagList: [] })).toEqual(['shop-aurora-fb-1a2b3c4d-1']);
  });
});

describe('placeholderTargets', () => {
  it('gives a cluster a reader endpoint placeholder, so records naming it reconcile', () => {
    const targets = placeholderTargets([], ['shop-db', 'shop-aurora'], 'us-east-1', ['shop-aurora']);
    expect(Object.keys(targets.readerEndpoints ?? {})).toEqual(['shop-aurora']);
    expect(Object.keys(targets.databaseEndpoints)).toEqual(['shop-db', 'shop-aurora']);
  });
});
