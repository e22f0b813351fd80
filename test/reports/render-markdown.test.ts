import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../lambdas/reports/render-markdown';
import { sampleReport, XSS } from './sample-report';

/** The rows of the Markdown table that follows `heading`. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `heading ${heading}`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) continue;
    rows.push(
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2); // without the header and the delimiter row
}

describe('renderMarkdown', () => {
  it('has a title, a summary line and every section', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    expect(markdown.startsWith('# Failover report: shop\n')).toBe(true);
    expect(markdown).toContain(
      '**Status:** `FAILED_OVER` · **Regions:** `eu-west-1` → `eu-central-1` · **Duration:** 12m 30s',
    );
    for (const heading of [
      '## RTO / RPO',
      '## Timeline',
      '## DNS changes',
      '## Reconciliation',
      '### Decisions',
      '### Conflicts',
      '### Preserved changes',
      '## Resources',
      '## Gates',
      '## Hooks',
      '## Errors',
    ]) {
      expect(markdown).toContain(`\n${heading}\n`);
    }
    expect(markdown).toContain('Overall RTO: **12m 00s**');
  });

  it('marks each tier target met or missed, deriving the verdict when the report leaves it out', () => {
    // Prepare
    const report = sampleReport();
    report.targets.push({ tier: 'cache', rtoTargetSeconds: 60, rpoTargetSeconds: 60 });

    // Act
    const rows = tableAfter(renderMarkdown(report), '## RTO / RPO');

    // Assess: Tier, RTO target, RTO, Ready after, RTO met, RPO target, Worst RPO, RPO met
    expect(rows.map((r) => [r[0], r[4], r[7]])).toEqual([
      ['db', '✅', '❌'],
      ['web', '✅', '✅'],
      ['cache', '—', '—'],
    ]);
    expect(rows[0]).toEqual(['db', '15m 00s', '6m 00s', '5m 59s', '✅', '5m 00s', '20m 00s', '❌']);
  });

  it('lists the timeline with offsets and durations', () => {
    // Prepare, Act
    const rows = tableAfter(renderMarkdown(sampleReport()), '## Timeline');

    // Assess
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual(['1', 'TakeFailoverLock', 'task', '', '+0s', '1s', 'succeeded']);
    expect(rows[3]).toEqual(['4', 'RecoverTier (tier 1)', 'task', 'web', '+6m 00s', '4m 00s', 'caught']);
    expect(rows[4]).toEqual(['5', 'ConfirmDnsSync', 'task', '', '+11m 00s', '1m 00s', '**failed**']);
  });

  it('shows each DNS change as before → after, per zone', () => {
    // Prepare, Act
    const markdown = renderMarkdown(sampleReport());
    const rows = tableAfter(markdown, '### Zone `shop.example.com.`');

    // Assess
    expect(rows[0]).toEqual([
      '`api.shop.example.com.`',
      'A',
      '`primary`',
      '`192.0.2.10` → `198.51.100.20`',
      'cut over to eu-central-1',
    ]);
    // A pipe in a value is escaped so it cannot split the table row.
    expect(rows[1]?.[3]).toBe(`\`"v=1 \\| a&b"\` → \`${XSS}\``);
  });

  it('keeps data from breaking out: markup only inside code spans, causes fenced', () => {
    // Prepare
    const report = sampleReport({ reason: `${XSS} | *bold* _x_ [link](http://x)` });

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    expect(markdown).toContain(
      '- Reason: \\<script\\>alert(1)\\</script\\> \\| \\*bold\\* \\_x\\_ \\[link\\](http://x)',
    );
    const outsideCode = markdown.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '').replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).not.toMatch(/(?<!\\)</);
    expect(markdown).toContain(
      '````text\nchange C123 still PENDING after 20 attempts\nsecond line with ``` fences\n````',
    );
  });

  it('leaves out reconciliation when there is none and says so for empty sections', () => {
    // Prepare
    const report = sampleReport({
      reconciliation: undefined,
      dns: [],
      gates: [],
      hooks: [],
      errors: [],
      resources: [],
    });

    // Act
    const markdown = renderMarkdown(report);

    // Assess
    expect(markdown).not.toContain('## Reconciliation');
    expect(markdown).toContain('## DNS changes\n\n_No DNS changes._');
    expect(markdown).toContain('## Errors\n\n_No errors._');
  });

  it('lists warnings under the summary only when the run has some', () => {
    // Prepare
    const warned = sampleReport({ warnings: ['postFailover hook webhook https://x/ failed: HTTP *502*'] });

    // Act
    const markdown = renderMarkdown(warned);

    // Assess
    expect(markdown).toContain(
      '\n## Warnings\n\n- ⚠️ postFailover hook webhook https://x/ failed: HTTP \\*502\\*\n',
    );
    expect(markdown.indexOf('## Warnings')).toBeLessThan(markdown.indexOf('## RTO / RPO'));
    expect(renderMarkdown(sampleReport())).not.toContain('## Warnings');
  });
});
