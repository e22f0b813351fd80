import { describe, expect, it } from 'vitest';
import { nextPollSeconds } from '../../lambdas/handlers/check-tier-ready';

describe('readiness polling backoff', () => {
  it('asks again soon at first, less often as the wait grows, never more than a minute apart', () => {
    expect([0, 10, 60, 120, 600, 3600].map(nextPollSeconds)).toEqual([5, 5, 15, 30, 60, 60]);
  });
});
