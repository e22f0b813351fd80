import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/reports/render-html';
import { renderMarkdown } from '../../lambdas/reports/render-markdown';
import { reportFromOutcome } from '../../lambdas/reports/report-from-outcome';
import { sampleReport, XSS } from './sample-report';

const missedTier = {
  tier: 'data',
  rtoTargetSeconds: 1800,
  rpoTargetSeconds: 3600,
  rtoMet: false,
  rtoMissed: {
    elapsedSeconds: 1830,
    laggardCount: 3,
    laggards: [
      { id: 'shop-db-pf-1a2b3c4d', state: 'creating' },
      { id: XSS, state: 'not-visible-yet' },
    ],
  },
};

describe('a tier that missed its RTO, in the report', () => {
  it('is read from the outcome with its laggards', () => {
    // Act
    const report = reportFromOutcome(
      { workflow: 'failover', metrics: { tiers: [missedTier] } },
      { primaryRegion: 'us-east-1', recoveryRegion: 'us-west-2' },
    );
    // Assess
    expect(report.targets[0]?.rtoMissed).toEqual(missedTier.rtoMissed);
  });

  it('is listed under the targets, with what it was waiting for, escaped', () => {
    // Prepare
    const report = sampleReport({ targets: [missedTier] });
    // Act
    const markdown = renderMarkdown(report);
    const html = renderHtml(report);
    // Assess
    expect(markdown).toContain('RTO missed; recovery went on:');
    expect(markdown).toMatch(
      /- \*\*data\*\*: at 30m 30s, still waiting for 3 resource\(s\): `shop-db-pf-1a2b3c4d` \(creating\), .+ \(not-visible-yet\) and 1 more/,
    );
    expect(html).toMatch(
      /<ul class="rto-missed">\n<li data-tier="data"><strong>data<\/strong>: at 30m 30s, still waiting for 3 resource\(s\): <code>shop-db-pf-1a2b3c4d<\/code> \(creating\)/,
    );
    expect(html).not.toContain(XSS);
  });

  it('is absent when every tier met its RTO', () => {
    expect(renderMarkdown(sampleReport())).not.toContain('RTO missed');
    expect(renderHtml(sampleReport())).not.toContain('rto-missed');
  });
});
