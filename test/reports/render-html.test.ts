import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/reports/render-html';
import { sampleReport, XSS } from './sample-report';

const ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;';

describe('renderHtml', () => {
  it('is a complete self-contained page: doctype, charset, inline style, no scripts or external assets', () => {
    // Prepare, Act
    const html = renderHtml(sampleReport());

    // Assess
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<style>');
    expect(html).toContain('<title>Failover report: shop (run-2024-05-01T10-00-00Z)</title>');
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has every section', () => {
    // Prepare, Act
    const html = renderHtml(sampleReport());

    // Assess
    for (const id of [
      'summary',
      'targets',
      'timeline',
      'dns',
      'reconciliation',
      'resources',
      'gates',
      'hooks',
      'errors',
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(renderHtml(sampleReport({ reconciliation: undefined }))).not.toContain('id="reconciliation"');
  });

  it('escapes every value from the report', () => {
    // Prepare
    const report = sampleReport({
      app: XSS,
      runId: `"><img src=x onerror=alert(1)>`,
      status: XSS,
      reason: XSS,
      gates: [{ name: XSS, decision: 'blocked', detail: XSS }],
      hooks: [{ phase: XSS, hook: XSS, outcome: XSS, reason: XSS, attempts: 1, ms: 1 }],
      warnings: [XSS],
      errors: [{ state: XSS, error: XSS, cause: `${XSS}\n</pre>` }],
    });
    report.targets[0] = {
      ...(report.targets[0] ?? { rtoTargetSeconds: 1, rpoTargetSeconds: 1 }),
      tier: `${XSS}"`,
    };

    // Act
    const html = renderHtml(report);

    // Assess
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('</pre>\n</pre>');
    expect(html).toContain(`<td><code>${ESCAPED_XSS}</code></td>`); // the recovered resource id
    expect(html).toContain(`<td class="after"><code>${ESCAPED_XSS}</code></td>`); // the DNS value
    expect(html).toContain(`<tr data-tier="${ESCAPED_XSS}&quot;">`);
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(
      `<section id="warnings" class="warnings">\n<h2>Warnings</h2>\n<ul><li>${ESCAPED_XSS}</li></ul>`,
    );
  });

  it('colours RTO and RPO cells met or missed', () => {
    // Prepare, Act
    const html = renderHtml(sampleReport());

    // Assess
    expect(html).toContain('<tr data-tier="db">');
    const db = html.slice(html.indexOf('<tr data-tier="db">')).split('</tr>')[0] ?? '';
    const web = html.slice(html.indexOf('<tr data-tier="web">')).split('</tr>')[0] ?? '';
    expect(db).toContain('<td class="num rto met">6m 00s ✓</td>');
    expect(db).toContain('<td class="num rpo missed">20m 00s ✗</td>');
    expect(web).toContain('<td class="num rto met">');
    expect(web).toContain('<td class="num rpo met">');
  });
});
