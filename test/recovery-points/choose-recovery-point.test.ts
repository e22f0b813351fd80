import { describe, expect, it } from 'vitest';
import { chooseRecoveryPoint } from '../../lambdas/recovery-points/choose-recovery-point';
import { RecoveryPointMissingError, RecoveryPointTooOldError } from '../../lambdas/runtime/task-errors';
import { BASE, point } from './points';

const HOUR = 3600;

describe('chooseRecoveryPoint', () => {
  const points = [point({ minutesAgo: 300 }), point({ minutesAgo: 30 }), point({ minutesAgo: 120 })];

  it('chooses the newest available point for latest, with the age it implies', () => {
    // Prepare
    const pending = point({ minutesAgo: 5, state: 'pending' });
    const failed = point({ minutesAgo: 10, state: 'failed' });

    // Act
    const choice = chooseRecoveryPoint([...points, pending, failed], {
      at: 'latest',
      now: BASE,
      rpoSeconds: HOUR,
      force: false,
    });

    // Assess
    expect(choice.point).toBe(points[1]);
    expect(choice.ageSeconds).toBe(30 * 60);
    expect(choice.withinRpo).toBe(true);
  });

  it('chooses the newest point at or before a given time', () => {
    // Prepare
    const at = new Date(BASE.getTime() - 120 * 60_000);

    // Act
    const choice = chooseRecoveryPoint(points, { at, now: BASE, rpoSeconds: 6 * HOUR, force: false });

    // Assess
    expect(choice.point).toBe(points[2]);
    expect(choice.ageSeconds).toBe(120 * 60);
    expect(choice.withinRpo).toBe(true);
  });

  it('refuses a point older than the RPO unless forced', () => {
    // Prepare
    const old = [point({ minutesAgo: 90 })];
    const options = { at: 'latest' as const, now: BASE, rpoSeconds: HOUR, source: 'i-0123456789abcdef0' };

    // Act, Assess
    expect(() => chooseRecoveryPoint(old, { ...options, force: false })).toThrow(RecoveryPointTooOldError);
    expect(() => chooseRecoveryPoint(old, { ...options, force: false })).toThrow(
      /i-0123456789abcdef0.*2026-03-01T10:30:00.000Z.*1h30m ago.*RPO of 1h/,
    );
    const forced = chooseRecoveryPoint(old, { ...options, force: true });
    expect(forced.point).toBe(old[0]);
    expect(forced.withinRpo).toBe(false);
    expect(forced.ageSeconds).toBe(90 * 60);
  });

  it('reports a missing point, naming the source, the newest point and the RPO', () => {
    // Prepare
    const at = new Date(BASE.getTime() - 400 * 60_000);

    // Act
    const attempt = () =>
      chooseRecoveryPoint(points, {
        at,
        now: BASE,
        rpoSeconds: HOUR,
        force: true,
        source: 'i-0123456789abcdef0',
      });

    // Assess
    expect(attempt).toThrow(RecoveryPointMissingError);
    expect(attempt).toThrow(
      /i-0123456789abcdef0.*newest available point was taken at 2026-03-01T11:30:00.000Z.*RPO is 1h/,
    );
  });

  it('counts only available points of the given source, even when forced', () => {
    // Prepare
    const others = [
      point({ source: 'i-0fedcba9876543210', minutesAgo: 1 }),
      point({ minutesAgo: 1, state: 'pending' }),
    ];

    // Act
    const attempt = () =>
      chooseRecoveryPoint(others, {
        at: 'latest',
        now: BASE,
        rpoSeconds: HOUR,
        force: true,
        source: 'i-0123456789abcdef0',
      });

    // Assess
    expect(attempt).toThrow(RecoveryPointMissingError);
    expect(attempt).toThrow(/has no available point \(1 still being made\)/);
  });
});
