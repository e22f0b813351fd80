import { describe, expect, it } from 'vitest';
import { leftToCopy } from '../../lambdas/failback/reverse-points';

describe('what is left to copy', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');

  it('is only the changes since the newest reverse point when there is one in the target region', () => {
    // Act
    const left = leftToCopy(
      {
        kind: 'ami',
        id: 'ami-0rev',
        source: 'i-recovered',
        takenAt: '2026-03-01T09:30:00.000Z',
        protectRun: 'p-9',
      },
      now,
      'us-east-1',
    );

    // Assess
    expect(left).toEqual({
      copy: 'incremental',
      buildsOn: { id: 'ami-0rev', takenAt: '2026-03-01T09:30:00.000Z' },
      changesSeconds: 9000,
      summary: 'incremental: changes since 2026-03-01T09:30:00.000Z (2h30m) on top of ami-0rev in us-east-1',
    });
  });

  it('is everything without a reverse point', () => {
    // Act, Assess
    expect(leftToCopy(undefined, now, 'us-east-1')).toEqual({
      copy: 'full',
      summary: 'full copy: no reverse point of it in us-east-1',
    });
  });
});
