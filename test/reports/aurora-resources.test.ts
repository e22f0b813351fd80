/** A failover report lists a recovered Aurora cluster as one, not as an instance. */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/reports/render-html';
import { renderMarkdown } from '../../lambdas/reports/render-markdown';
import { reportFromOutcome } from '../../lambdas/reports/report-from-outcome';

const outcome = {
  workflow: 'failover',
  status: 'FAILED_OVER',
  app: 'shop',
  runId: 'failover-20261202T0300-abc',
  startedAt: '2026-12-02T03:00:00.000Z',
  completedAt: '2026-12-02T03:40:00.000Z',
  sourceRegion: 'us-east-1',
  activeRegion: 'us-west-2',
  inventory: [
    {
      kind: 'aurora',
      tier: 'data',
      role: 'orders',
      source: 'shop-aurora',
      recovered: 'shop-aurora-pf-1a2b3c4d',
      from: 'pendulum-shop-rp-point',
      created: true,
      endpoint: 'shop-aurora-pf-1a2b3c4d.cluster-abc.us-west-2.rds.amazonaws.com',
      members: [{ id: 'shop-aurora-pf-1a2b3c4d-1', writer: true }],
    },
  ],
};

describe('an Aurora cluster in a failover report', () => {
  it('is kept as kind aurora and shown as an Aurora cluster in Markdown and HTML', () => {
    // Act
    const report = reportFromOutcome(outcome as never, {
      primaryRegion: 'us-east-1',
      recoveryRegion: 'us-west-2',
    });
    // Assess
    expect(report.resources).toEqual([
      expect.objectContaining({ kind: 'aurora', source: 'shop-aurora', result: 'shop-aurora-pf-1a2b3c4d' }),
    ]);
    expect(renderMarkdown(report)).toMatch(/\| Aurora cluster \| data \| orders \|/);
    expect(renderHtml(report)).toMatch(/<td>Aurora cluster<\/td>/);
  });
});
