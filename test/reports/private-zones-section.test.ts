/**
 * A failover report lists each private zone's recovery-region VPCs, told apart by who associated
 * them, as the README promises: the associations Pendulum made are the ones that were not there.
 */
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
  completedAt: '2026-12-02T03:20:00.000Z',
  sourceRegion: 'us-east-1',
  activeRegion: 'us-west-2',
  privateZoneAssociations: [
    {
      zone: 'shop.internal.',
      id: 'Z0PRIVATE',
      region: 'us-west-2',
      associatedByPendulum: ['vpc-0recovery'],
      alreadyAssociated: ['vpc-0shared'],
    },
  ],
};

describe('the private zones of a failover report', () => {
  it('come from the outcome and show in Markdown and HTML', () => {
    // Act
    const report = reportFromOutcome(outcome as never, {
      primaryRegion: 'us-east-1',
      recoveryRegion: 'us-west-2',
    });
    const markdown = renderMarkdown(report);
    const html = renderHtml(report);

    // Assess
    expect(report.privateZones).toEqual([
      {
        zone: 'shop.internal.',
        id: 'Z0PRIVATE',
        region: 'us-west-2',
        associatedByPendulum: ['vpc-0recovery'],
        alreadyAssociated: ['vpc-0shared'],
      },
    ]);
    expect(markdown).toContain('## Private zones');
    expect(markdown).toMatch(
      /shop\.internal\. \(`Z0PRIVATE`\) \| us-west-2 \| `vpc-0recovery` \| `vpc-0shared`/,
    );
    expect(html).toContain('<h2>Private zones</h2>');
    expect(html).toContain('<td><code>vpc-0recovery</code></td>');
  });

  it('are left out for a plan without private zones', () => {
    const report = reportFromOutcome({ ...outcome, privateZoneAssociations: undefined } as never, {
      primaryRegion: 'us-east-1',
      recoveryRegion: 'us-west-2',
    });
    expect(report.privateZones).toBeUndefined();
    expect(renderMarkdown(report)).not.toContain('## Private zones');
  });
});
