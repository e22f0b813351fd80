/**
 * Renders the HTML report in a real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) and checks what a reader would see. Skipped, with a note, where Chromium is missing.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/reports/render-html';
import type { RunReport } from '../../lambdas/reports/run-report-model';
import { sampleReport, XSS } from './sample-report';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(
    `${CHROMIUM} not found: skipping the headless Chromium report tests (apt-get install -y chromium).`,
  );
}

/** The one DOM call the assertions need, typed here because the project compiles without the DOM lib. */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

/** Everything the page reported that should not happen in a self-contained, script-free page. */
interface PageTrouble {
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  dialogs: string[];
}

describe('renderHtml in headless Chromium', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!HAS_CHROMIUM) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(report: RunReport): Promise<{ page: Page; trouble: PageTrouble }> {
    if (!browser) throw new Error('Chromium did not start');
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const trouble: PageTrouble = { consoleErrors: [], pageErrors: [], requests: [], dialogs: [] };
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        trouble.consoleErrors.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => trouble.pageErrors.push(error.message));
    page.on('request', (request) => trouble.requests.push(request.url()));
    page.on('dialog', (dialog) => {
      trouble.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.setContent(renderHtml(report), { waitUntil: 'load' });
    return { page, trouble };
  }

  it.skipIf(!HAS_CHROMIUM)(
    'renders the title, the RTO table, one bar per step and green/red verdicts, with no errors',
    async () => {
      // Prepare
      const report = sampleReport();

      // Act
      const { page, trouble } = await open(report);

      // Assess
      try {
        expect(await page.title()).toBe('Failover report: shop (run-2024-05-01T10-00-00Z)');
        await expect.poll(() => page.locator('h1').textContent()).toBe('Failover report: shop');

        const tiers = page.locator('table.targets tbody tr');
        expect(await tiers.count()).toBe(2);
        expect(await page.locator('table.targets').isVisible()).toBe(true);
        expect(await tiers.locator('th').allTextContents()).toEqual(['db', 'web']);

        const bars = page.locator('svg.timeline rect.bar');
        expect(await bars.count()).toBe(report.timeline.length);
        expect(await bars.evaluateAll((els) => els.map((el) => el.getAttribute('data-step')))).toEqual(
          report.timeline.map((s) => s.name),
        );
        const widths = await bars.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
        for (const width of widths) expect(width).toBeGreaterThan(0);

        const cellClass = (tier: string, cell: string) =>
          page.locator(`tr[data-tier="${tier}"] td.${cell}`).getAttribute('class');
        expect(await cellClass('db', 'rto')).toBe('num rto met');
        expect(await cellClass('db', 'rpo')).toBe('num rpo missed');
        expect(await cellClass('web', 'rto')).toBe('num rto met');
        expect(await cellClass('web', 'rpo')).toBe('num rpo met');
        const background = (selector: string) =>
          page
            .locator(selector)
            .evaluateAll((els) =>
              els.map((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor),
            );
        expect(new Set(await background('td.met'))).toEqual(new Set(['rgb(218, 251, 225)']));
        expect(new Set(await background('td.missed'))).toEqual(new Set(['rgb(255, 235, 233)']));

        expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [] });
      } finally {
        await page.close();
      }
    },
  );

  it.skipIf(!HAS_CHROMIUM)(
    'shows hostile values as text: no script runs and no element is injected',
    async () => {
      // Prepare
      const report = sampleReport({
        app: XSS,
        reason: `<img src=x onerror="alert(2)">`,
        errors: [{ state: 'S', error: 'E', cause: `</pre>${XSS}` }],
      });

      // Act
      const { page, trouble } = await open(report);

      // Assess
      try {
        expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
        expect(await page.locator('h1').textContent()).toBe(`Failover report: ${XSS}`);
        expect(await page.locator('pre.cause').textContent()).toBe(`</pre>${XSS}`);
        expect(await page.locator('table.resources td code', { hasText: 'alert(1)' }).textContent()).toBe(
          XSS,
        );
        expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], requests: [], dialogs: [] });
      } finally {
        await page.close();
      }
    },
  );
});
