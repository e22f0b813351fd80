import type { FailbackRun } from '../../lambdas/failback/failback-run';

/** A failback run of the sample app from us-west-2 home to us-east-1, as failback-prepare makes it. */
export function sampleFailbackRun(overrides: Partial<FailbackRun> = {}): FailbackRun {
  return {
    app: 'shop',
    runId: 'failback-run-1',
    failbackId: 'failback-episode-1',
    failoverId: 'failover-1',
    failoverRunId: 'failover-run-1',
    startedAt: '2026-03-01T12:00:00.000Z',
    sourceRegion: 'us-west-2',
    targetRegion: 'us-east-1',
    strategy: 'cutover',
    steps: [100],
    dryRun: false,
    soakSeconds: 0,
    caps: { syncSeconds: 3600, retireSeconds: 3600 },
    tiers: [{ index: 0, name: 'data', timeoutSeconds: 1800 }],
    ...overrides,
  };
}
