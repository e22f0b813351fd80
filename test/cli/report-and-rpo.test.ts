/** The pure parts behind `report` and `status`: outcome → RunReport, recovery points → RPO per tier. */
import { describe, expect, it } from 'vitest';
import { rpoByTier } from '../../cli/rpo-status';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { Plan } from '../../lambdas/plan/plan-schema';
import type { RecoveryPoint } from '../../lambdas/recovery-points/recovery-point';
import { renderMarkdown } from '../../lambdas/reports/render-markdown';
import { reportFromOutcome } from '../../lambdas/reports/report-from-outcome';

describe('reportFromOutcome', () => {
  const extras = { primaryRegion: 'us-east-1', recoveryRegion: 'us-west-2' };

  it('maps a failover outcome, its DNS cutover and metrics to the report model', () => {
    const report = reportFromOutcome(
      {
        workflow: 'failover',
        status: 'FAILED_OVER',
        app: 'shop',
        runId: 'failover-20261128T0225-abc',
        reason: 'INC-1',
        startedAt: '2026-11-28T02:25:00.000Z',
        completedAt: '2026-11-28T02:40:00.000Z',
        sourceRegion: 'us-east-1',
        activeRegion: 'us-west-2',
        metrics: {
          rtoSeconds: 900,
          tiers: [
            {
              tier: 'data',
              rtoTargetSeconds: 1800,
              rpoTargetSeconds: 3600,
              readySeconds: 600,
              worstRpoSeconds: 120,
              rtoMet: true,
              rpoMet: true,
            },
          ],
        },
        inventory: [
          {
            kind: 'rds',
            tier: 'data',
            role: 'shop-db',
            source: 'shop-db',
            recovered: 'shop-db-pf-1',
            from: 'snap-1',
            created: true,
          },
          {
            kind: 'ec2',
            tier: 'app',
            role: 'web',
            source: 'i-1',
            recovered: 'i-2',
            from: 'ami-1',
            created: false,
          },
        ],
      },
      {
        ...extras,
        dnsCutover: {
          zones: [
            {
              name: 'shop.example.com.',
              written: [
                {
                  Name: 'www.shop.example.com.',
                  Type: 'A',
                  TTL: 60,
                  ResourceRecords: [{ Value: '10.1.0.1' }],
                },
                {
                  Name: 'static.shop.example.com.',
                  Type: 'CNAME',
                  TTL: 60,
                  ResourceRecords: [{ Value: 'same' }],
                },
              ],
              before: [
                {
                  Name: 'www.shop.example.com.',
                  Type: 'A',
                  TTL: 60,
                  ResourceRecords: [{ Value: '10.0.0.1' }],
                },
                {
                  Name: 'static.shop.example.com.',
                  Type: 'CNAME',
                  TTL: 60,
                  ResourceRecords: [{ Value: 'same' }],
                },
              ],
            },
          ],
        },
      },
    );
    expect(report).toMatchObject({
      workflow: 'failover',
      status: 'FAILED_OVER',
      fromRegion: 'us-east-1',
      toRegion: 'us-west-2',
      rtoSeconds: 900,
      targets: [{ tier: 'data', rtoSeconds: 600, worstRpoSeconds: 120, rtoMet: true }],
      resources: [
        { kind: 'rds', source: 'shop-db', result: 'shop-db-pf-1', action: 'created' },
        { kind: 'ec2', source: 'i-1', result: 'i-2', action: 'reused' },
      ],
      dns: [
        {
          zone: 'shop.example.com.',
          changes: [{ name: 'www.shop.example.com.', before: ['10.0.0.1'], after: ['10.1.0.1'] }],
        },
      ],
      errors: [],
    });
    expect(renderMarkdown(report)).toContain('10.1.0.1');
  });

  it('maps a failure outcome: what was created and the error', () => {
    const report = reportFromOutcome(
      {
        workflow: 'failover',
        status: 'FAILOVER_FAILED',
        app: 'shop',
        runId: 'r',
        startedAt: '2026-11-28T02:25:00.000Z',
        failedAt: '2026-11-28T02:26:00.000Z',
        error: 'ValidationFailedError',
        message: 'Health checks failed',
        created: [{ source: 'i-1', recovered: 'i-2', kind: 'ec2' }],
      },
      extras,
    );
    expect(report).toMatchObject({
      completedAt: '2026-11-28T02:26:00.000Z',
      toRegion: 'us-west-2',
      resources: [{ source: 'i-1', result: 'i-2', action: 'created' }],
      errors: [{ error: 'ValidationFailedError', cause: 'Health checks failed' }],
    });
  });
});

describe('rpoByTier', () => {
  const result = parsePlanObject({
    app: 'shop',
    primaryRegion: 'us-east-1',
    recoveryRegion: 'us-west-2',
    tiers: [
      { name: 'data', rpo: '1h', rto: '30m', resources: [{ rds: { identifier: 'shop-db' } }] },
      {
        name: 'app',
        rpo: '4h',
        rto: '1h',
        resources: [
          { ec2: { role: 'web', ids: ['i-0000000a', 'i-0000000b'] } },
          { ec2: { role: 'api', tag: { key: 'role', value: 'api' } } },
        ],
      },
    ],
    placement: {},
    dns: { zones: [] },
    healthChecks: [],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const plan: Plan = result.plan;
  const now = new Date('2026-11-28T12:00:00Z');
  const point = (
    source: string,
    tier: string,
    role: string,
    hoursAgo: number,
    extra: Partial<RecoveryPoint> = {},
  ): RecoveryPoint => ({
    kind: 'ami',
    id: `ami-${source}-${hoursAgo}`,
    source,
    role,
    tier,
    takenAt: new Date(now.getTime() - hoursAgo * 3600_000).toISOString(),
    protectRun: `run-${hoursAgo}`,
    state: 'available',
    ...extra,
  });

  it('takes the newest available point per resource and judges the worst against the RPO', () => {
    const tiers = rpoByTier(
      plan,
      [
        point('shop-db', 'data', 'shop-db', 2, { kind: 'db-snapshot' }),
        point('shop-db', 'data', 'shop-db', 0.5, { kind: 'db-snapshot', state: 'pending' }),
        point('i-0000000a', 'app', 'web', 1),
        point('i-0000000a', 'app', 'web', 3),
        point('i-0000000c', 'app', 'api', 1),
      ],
      now,
    );
    const [data, app] = tiers;
    expect(data).toMatchObject({ tier: 'data', worstAgeSeconds: 7200, rpoMet: false, missing: 0 });
    expect(app?.resources.map((r) => [r.source, r.ageSeconds, r.missing])).toEqual([
      ['i-0000000a', 3600, false],
      ['i-0000000b', undefined, true],
      ['i-0000000c', 3600, false],
    ]);
    expect(app).toMatchObject({ missing: 1, rpoMet: false, worstAgeSeconds: 3600 });
  });

  it('reports a tag-selected role with no instance (primary answered) or no point (it did not) as missing', () => {
    const answered = rpoByTier(plan, [], now, []);
    expect(answered[1]?.resources.find((r) => r.role === 'api')).toMatchObject({
      source: 'role api (tag role=api)',
      missing: true,
      note: 'no instance carries the tag',
    });
    const silent = rpoByTier(plan, [], now);
    expect(silent[1]?.resources.find((r) => r.role === 'api')?.note).toBe(
      'no recovery point of any instance',
    );
  });
});
