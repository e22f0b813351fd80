import type { RunReport } from '../../lambdas/reports/run-report-model';

export const XSS = '<script>alert(1)</script>';

/**
 * A failed-over run with two tiers: `web` met both targets, `db` met its RTO and missed its RPO.
 * Record values and reasons carry markup and quotes to prove the renderers escape them.
 */
export function sampleReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    workflow: 'failover',
    app: 'shop',
    runId: 'run-2024-05-01T10-00-00Z',
    status: 'FAILED_OVER',
    startedAt: '2024-05-01T10:00:00.000Z',
    completedAt: '2024-05-01T10:12:30.000Z',
    fromRegion: 'eu-west-1',
    toRegion: 'eu-central-1',
    reason: 'Region outage: "eu-west-1" & friends',
    timeline: [
      {
        name: 'TakeFailoverLock',
        kind: 'task',
        startedAt: '2024-05-01T10:00:00.000Z',
        endedAt: '2024-05-01T10:00:01.000Z',
        outcome: 'succeeded',
      },
      {
        name: 'RecoverTiers',
        kind: 'map',
        startedAt: '2024-05-01T10:00:01.000Z',
        endedAt: '2024-05-01T10:10:00.000Z',
        outcome: 'succeeded',
      },
      {
        name: 'RecoverTier (tier 0)',
        kind: 'task',
        tier: 'db',
        startedAt: '2024-05-01T10:00:01.000Z',
        endedAt: '2024-05-01T10:06:00.000Z',
        outcome: 'succeeded',
      },
      {
        name: 'RecoverTier (tier 1)',
        kind: 'task',
        tier: 'web',
        startedAt: '2024-05-01T10:06:00.000Z',
        endedAt: '2024-05-01T10:10:00.000Z',
        outcome: 'caught',
      },
      {
        name: 'ConfirmDnsSync',
        kind: 'task',
        startedAt: '2024-05-01T10:11:00.000Z',
        endedAt: '2024-05-01T10:12:00.000Z',
        outcome: 'failed',
      },
    ],
    targets: [
      {
        tier: 'db',
        rtoTargetSeconds: 900,
        rpoTargetSeconds: 300,
        rtoSeconds: 360,
        readySeconds: 359,
        worstRpoSeconds: 1200,
      },
      {
        tier: 'web',
        rtoTargetSeconds: 900,
        rpoTargetSeconds: 3600,
        rtoSeconds: 600,
        readySeconds: 240,
        worstRpoSeconds: 60,
        rtoMet: true,
        rpoMet: true,
      },
    ],
    rtoSeconds: 720,
    resources: [
      {
        kind: 'rds',
        tier: 'db',
        role: 'primary',
        source: 'arn:aws:rds:eu-west-1:123456789012:snapshot:shop-db-1',
        result: 'shop-db-a1b2c3d4',
        action: 'created',
      },
      {
        kind: 'ec2',
        tier: 'web',
        role: 'app',
        source: 'ami-0123456789abcdef0',
        result: XSS,
        action: 'reused',
        finalSnapshot: 'snap-final-1',
      },
    ],
    dns: [
      {
        zone: 'shop.example.com.',
        changes: [
          {
            name: 'api.shop.example.com.',
            type: 'A',
            setIdentifier: 'primary',
            before: ['192.0.2.10'],
            after: ['198.51.100.20'],
            reason: 'cut over to eu-central-1',
          },
          {
            name: 'txt.shop.example.com.',
            type: 'TXT',
            before: ['"v=1 | a&b"'],
            after: [XSS],
          },
        ],
      },
    ],
    reconciliation: {
      decisions: [{ key: 'api.shop.example.com. A primary', action: 'UPSERT', reason: 'desired differs' }],
      conflicts: [
        {
          key: 'www.shop.example.com. CNAME',
          kind: 'changed-both',
          now: ['lb-1.example.net'],
          desired: ['lb-2.example.net'],
          resolution: 'kept the operator change',
        },
      ],
      preserved: [{ key: 'mail.shop.example.com. MX', reason: 'changed by an operator during the failover' }],
    },
    gates: [
      { name: 'Health', decision: 'passed', detail: 'all alarms OK', at: '2024-05-01T10:10:30.000Z' },
      { name: 'Approval', decision: 'waited', detail: 'approved by ops' },
    ],
    hooks: [
      { phase: 'preFailover', hook: 'notify-ops', outcome: 'ok', attempts: 1, ms: 120 },
      {
        phase: 'postFailover',
        hook: 'warm-cache',
        outcome: 'failed',
        reason: 'HTTP 502',
        attempts: 3,
        ms: 4500,
      },
    ],
    errors: [
      {
        state: 'ConfirmDnsSync',
        error: 'Pendulum.NotReady',
        cause: 'change C123 still PENDING after 20 attempts\nsecond line with ``` fences',
      },
    ],
    ...overrides,
  };
}
