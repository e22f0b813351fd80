import type { RecoveryPoint } from '../../lambdas/recovery-points/recovery-point';

/** A recovery point with sensible defaults; `takenAt` as an ISO time or minutes before `base`. */
export function point(
  overrides: Partial<RecoveryPoint> & { minutesAgo?: number } = {},
  base = BASE,
): RecoveryPoint {
  const { minutesAgo, ...rest } = overrides;
  const takenAt = rest.takenAt ?? new Date(base.getTime() - (minutesAgo ?? 0) * 60_000).toISOString();
  return {
    kind: 'ami',
    id: `ami-${takenAt.replace(/\D/g, '')}`,
    source: 'i-0123456789abcdef0',
    role: 'web',
    tier: 'app',
    protectRun: `run-${takenAt}`,
    state: 'available',
    ...rest,
    takenAt,
  };
}

export const BASE = new Date('2026-03-01T12:00:00.000Z');
