import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecoveryPoint } from '../../lambdas/recovery-points/recovery-point';
import { pointsToPrune } from '../../lambdas/recovery-points/retention';
import { point } from './points';

describe('pointsToPrune', () => {
  it('keeps the newest `retain` available points per source and prunes the rest', () => {
    // Prepare
    const web = [10, 20, 30, 40].map((m) => point({ minutesAgo: m }));
    const db = [5, 50, 500].map((m) =>
      point({ kind: 'db-snapshot', source: 'shop-db', minutesAgo: m, id: `db-${m}` }),
    );

    // Act
    const pruned = pointsToPrune([...web, ...db], 2);

    // Assess
    expect(pruned.map((p) => p.id).sort()).toEqual([web[2]?.id, web[3]?.id, 'db-500'].sort());
  });

  it('never prunes a pending point or a replica, and prunes failed ones once a usable point exists', () => {
    // Prepare
    const pending = point({ minutesAgo: 100, state: 'pending' });
    const failed = point({ minutesAgo: 1, state: 'failed' });
    const available = point({ minutesAgo: 50 });
    const replica = point({ kind: 'db-replica', source: 'shop-db', id: 'shop-db-replica' });
    const failedAlone = point({ source: 'i-0fedcba9876543210', state: 'failed' });

    // Act
    const pruned = pointsToPrune([pending, failed, available, replica, failedAlone], 1);

    // Assess
    expect(pruned).toEqual([failed]);
  });

  it('never prunes the newest available point of any source, whatever retain is', () => {
    // Prepare
    const arbitraryPoint = fc.record({
      source: fc.constantFrom('a', 'b', 'c'),
      minutesAgo: fc.integer({ min: 0, max: 10_000 }),
      state: fc.constantFrom<RecoveryPoint['state']>('available', 'pending', 'failed'),
    });

    fc.assert(
      fc.property(
        fc.array(arbitraryPoint, { maxLength: 30 }),
        fc.integer({ min: -2, max: 5 }),
        (specs, retain) => {
          const points = specs.map((s, i) => point({ ...s, id: `p${i}` }));

          // Act
          const pruned = new Set(pointsToPrune(points, retain).map((p) => p.id));

          // Assess
          for (const source of ['a', 'b', 'c']) {
            const available = points.filter((p) => p.source === source && p.state === 'available');
            const kept = available.filter((p) => !pruned.has(p.id));
            if (available.length > 0)
              expect(kept.length).toBe(Math.min(available.length, Math.max(1, retain)));
            const newest = Math.max(...available.map((p) => Date.parse(p.takenAt)));
            expect(kept.some((p) => Date.parse(p.takenAt) === newest) || available.length === 0).toBe(true);
          }
          for (const p of points) if (p.state === 'pending') expect(pruned.has(p.id)).toBe(false);
        },
      ),
    );
  });
});
