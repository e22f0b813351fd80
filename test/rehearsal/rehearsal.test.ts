/**
 * The rehearsal as `npm run rehearse` plays it, in-process: its own moto, the sample plan, the
 * whole story. Every check must pass and the reports must be there; and with a step of the story
 * left out, the checks must say so.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedOutput } from '../../cli/output';
import { startHealthServer } from '../../cli/rehearsal/health-server';
import {
  loadRehearsalPlan,
  plannedHealthPort,
  SAMPLE_PLAN_FILE,
  withHealthPort,
} from '../../cli/rehearsal/rehearsal-plan';
import { PHASES } from '../../cli/rehearsal/rehearsal-types';
import { runRehearsal } from '../../cli/rehearsal/run-rehearsal';

const reportsRoot = mkdtempSync(join(tmpdir(), 'pendulum-rehearsal-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));

/** Resolves once nothing answers at the URL any more. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Holds a port on 127.0.0.1 (if it is free) so the rehearsal has to use another one. */
async function occupy(port: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the rehearsal', () => {
  it('plays register → protect → failover → 45 days → reconcile → staged failback, passes every check and writes the reports', async () => {
    const planText = readFileSync(SAMPLE_PLAN_FILE, 'utf8');
    const dir = join(reportsRoot, 'full');
    const out = capturedOutput();

    const result = await runRehearsal({ reportsDir: dir, out });

    // Every phase ran and every check passed.
    const failed = result.checks.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    // Every call of every task, authorized against its synthesized role: none denied.
    expect(result.iam).toMatchObject({ mode: 'enforce', denied: 0 });
    expect(result.iam.authorized).toBeGreaterThan(100);
    expect(result.checks).toContainEqual(
      expect.objectContaining({
        name: 'Every AWS call a task made was allowed by its synthesized role',
        ok: true,
      }),
    );
    expect(result.phases.map((p) => [p.name, p.status])).toEqual(PHASES.map((name) => [name, 'done']));
    expect(result.runs.map((r) => [r.workflow, r.dryRun, r.status])).toEqual([
      ['register', false, 'SUCCEEDED'],
      ['protect', false, 'SUCCEEDED'],
      ['failover', false, 'SUCCEEDED'],
      // the 45 days: protection follows the app into the recovery region
      ['protect', false, 'SUCCEEDED'],
      ['failback', true, 'SUCCEEDED'],
      ['failback', false, 'SUCCEEDED'],
    ]);
    const names = result.checks.map((c) => c.name);
    for (const expected of [
      /www\.shop\.example\.com A points at the 2 web instance\(s\) recovered in us-west-2/,
      /Records Pendulum does not manage are exactly as before/,
      /PRIMARY_ACTIVE and active in us-east-1/,
      /While failed over, protect made points of every recovered instance and database/,
      /At every staged gate each data record named one database, the home one/,
      /Writes froze in us-west-2 before the final sync: failback's RPO is 0/,
      /The database created in us-west-2 during the failover \(shop-reports\) is named in the reconciliation/,
      /www\.shop\.example\.com A points at the 3 web instance\(s\) brought home in us-east-1/,
      /web instance added in us-west-2 during failover has a counterpart/,
      /shop-db in us-east-1 is a new database made from the recovery copy shop-db-pf-/,
      /DNS moved home in stages: 10 → 50 → 100 %/,
      /TXT record added during failover/,
      /stale primary instances in us-east-1 are terminated, each with a final AMI kept/,
      /recovery databases in us-west-2 are deleted after the soak, each with a final snapshot kept/,
      // The Aurora cluster, after each leg: whole, under the region's key, with the estate's tags.
      /Every protected Aurora cluster has a recovery cluster snapshot in us-west-2/,
      /Aurora cluster shop-orders recovered in us-west-2 is available with its writer and 1 reader/,
      /Aurora cluster shop-orders recovered in us-west-2 is encrypted with the recovery region's key/,
      /Every Aurora cluster recovered in us-west-2, and each of its instances, carries its source's own tags/,
      /orders-db\.shop\.example\.com CNAME points at the writer endpoint of the cluster recovered for shop-orders/,
      /orders-ro\.shop\.example\.com CNAME points at the reader endpoint of the cluster recovered for shop-orders/,
      /Aurora cluster shop-orders in us-east-1 is a new cluster made from the recovery cluster shop-orders-pf-/,
      /Aurora cluster shop-orders brought home in us-east-1 is available with its writer and 1 reader/,
      /Aurora cluster shop-orders brought home in us-east-1 is encrypted with the primary region's key/,
      /Every Aurora cluster brought home in us-east-1, and each of its instances, carries its source's own tags/,
      /orders-db\.shop\.example\.com CNAME points at the writer endpoint of the new cluster shop-orders in us-east-1/,
      /orders-ro\.shop\.example\.com CNAME points at the reader endpoint of the new cluster shop-orders in us-east-1/,
      /stale primary Aurora cluster in us-east-1 is deleted, with a final cluster snapshot kept/,
      /recovery Aurora clusters in us-west-2 are deleted after the soak, each with a final cluster snapshot kept/,
      /RTO and RPO/,
    ])
      expect(
        names.some((n) => expected.test(n)),
        String(expected),
      ).toBe(true);
    expect(result.reconciliation).toMatchObject({
      preserved: 4,
      conflicts: 0,
      instancesHome: 5,
      // shop-db and the Aurora cluster shop-orders
      databasesHome: 2,
    });

    // Progress for people: phase headings, steps with durations, the check list, the total time.
    const printed = out.stdout.join('\n');
    expect(printed).toMatch(/▶ 4\/9 {2}Failover: us-east-1 → us-west-2/);
    expect(printed).toMatch(/✓ CutOverDns \d+\.\ds/);
    expect(printed).toMatch(/HoldStep \d+\.\ds \(5m in the plan, shortened locally\)/);
    expect(printed).toMatch(/kept as people changed it: _verify\.shop\.example\.com\. TXT \(added\)/);
    expect(printed).toMatch(/Rehearsal passed: \d+ of \d+ checks\./);
    expect(printed).toMatch(/Total time: \d/);
    expect(printed).not.toContain('\u001b['); // no colour when not on a TTY

    // Reports: one Markdown and one self-contained HTML page per run, and the summary.
    for (const file of [
      result.reports.failover?.markdown,
      result.reports.failover?.html,
      result.reports.failback?.markdown,
      result.reports.failback?.html,
      result.reports.summary,
    ])
      expect(file !== undefined && existsSync(file), String(file)).toBe(true);
    for (const html of [result.reports.failover?.html, result.reports.failback?.html]) {
      const page = readFileSync(html ?? '', 'utf8');
      expect(page).toMatch(/<svg[^>]*>[\s\S]*<rect class="bar succeeded"[\s\S]*<\/svg>/);
      expect(page).not.toMatch(/<script|src="http/);
    }
    const failback = readFileSync(result.reports.failback?.markdown ?? '', 'utf8');
    expect(failback).toContain('`_verify.shop.example.com. TXT` | added');
    expect(failback).toMatch(/Staged step at 10 % home \| 🟢 passed \| Route 53: 3 weighted pair/);
    const summary = readFileSync(result.reports.summary ?? '', 'utf8');
    expect(summary).toContain('**PASSED**');
    expect(summary.match(/^- ✓ /gm)).toHaveLength(result.checks.length);

    // Nothing left running; the plan file untouched.
    expect(await answers(`${result.localAwsEndpoint}/moto-api/`)).toBe(false);
    expect(await answers(result.healthUrl.replace('{region}', 'us-east-1'))).toBe(false);
    expect(readFileSync(SAMPLE_PLAN_FILE, 'utf8')).toBe(planText);
  }, 180_000);

  it('fails its checks when the failback is left out, and moves the health endpoint when its port is taken', async () => {
    const planned = plannedHealthPort(loadRehearsalPlan(SAMPLE_PLAN_FILE)) ?? 48080;
    const blocker = await occupy(planned);
    try {
      const result = await runRehearsal({ reportsDir: join(reportsRoot, 'skipped'), skip: ['failback'] });

      expect(result.ok).toBe(false);
      expect(result.phases.find((p) => p.name === 'failback')?.status).toBe('skipped');
      // The story up to the failover happened and checks out ...
      expect(result.checks.filter((c) => c.phase === 'failover' && !c.ok)).toEqual([]);
      // ... but nothing came home, and the checks see it in AWS.
      const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
      for (const expected of [
        /PRIMARY_ACTIVE and active in us-east-1/,
        /At every staged gate each data record named one database, the home one/,
        /Writes froze in us-west-2 before the final sync: failback's RPO is 0/,
        /The database created in us-west-2 during the failover \(shop-reports\) is named in the reconciliation/,
        /Every instance that ran in us-west-2 has a new counterpart/,
        /web instance added in us-west-2 during failover has a counterpart/,
        /shop-db in us-east-1 is a new database/,
        /www\.shop\.example\.com A points at the 3 web instance\(s\) brought home in us-east-1/,
        /db\.shop\.example\.com CNAME points at the new shop-db in us-east-1/,
        /static\.shop\.example\.com CNAME has us-east-1's values/,
        /DNS moved home in stages/,
        /stale primary instances in us-east-1 are terminated/,
        /stale primary database in us-east-1 is deleted/,
        /Aurora cluster shop-orders in us-east-1 is a new cluster/,
        /Aurora cluster shop-orders brought home in us-east-1 is available/,
        /orders-db\.shop\.example\.com CNAME points at the writer endpoint of the new cluster shop-orders/,
        /stale primary Aurora cluster in us-east-1 is deleted/,
        /recovery Aurora clusters in us-west-2 are deleted after the soak/,
        /instances in us-west-2 are terminated after the soak/,
        /recovery databases in us-west-2 are deleted after the soak/,
        /RTO and RPO/,
      ])
        expect(
          failed.some((n) => expected.test(n)),
          `${expected} should fail; failed: ${failed.join(' | ')}`,
        ).toBe(true);
      expect(result.reports.failback).toBeUndefined();
      expect(readFileSync(result.reports.summary ?? '', 'utf8')).toContain('**FAILED**');

      // The plan's port was taken: the plan in memory points elsewhere, the file does not change.
      expect(result.healthPortMoved).toBe(true);
      expect(result.healthUrl).not.toContain(`:${planned}/`);
      expect(result.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/health\?region=\{region\}$/);
    } finally {
      await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    }
  }, 180_000);

  it('fails the interim-change checks when the 45 days are left out', async () => {
    const result = await runRehearsal({ reportsDir: join(reportsRoot, 'no-interim'), skip: ['interim'] });

    expect(result.ok).toBe(false);
    expect(result.runs.at(-1)).toMatchObject({ workflow: 'failback', dryRun: false, status: 'SUCCEEDED' });
    const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toEqual([
      expect.stringMatching(/web instance added in us-west-2 during failover has a counterpart/),
      expect.stringMatching(/TXT record added during failover/),
      expect.stringMatching(/CNAME added during failover/),
      expect.stringMatching(/TTL changed during failover/),
      expect.stringMatching(/record deleted during failover .* stays deleted/),
    ]);
  }, 180_000);
});

describe('the rehearsal plan and health endpoint', () => {
  it('moves only loopback health URLs on the planned port, in a copy of the plan', async () => {
    const plan = loadRehearsalPlan(SAMPLE_PLAN_FILE);
    expect(plannedHealthPort(plan)).toBe(48080);
    const moved = withHealthPort(plan, 48080, 50123);
    expect(moved.healthChecks[0]?.url).toBe('http://127.0.0.1:50123/health?region={region}');
    expect(plan.healthChecks[0]?.url).toBe('http://127.0.0.1:48080/health?region={region}');
    expect(withHealthPort(plan, 48080, 48080)).toBe(plan);
  });

  it('answers 200 per region and takes another port when the preferred one is busy', async () => {
    const first = await startHealthServer(0);
    const second = await startHealthServer(first.port);
    try {
      expect(second.port).not.toBe(first.port);
      const response = await fetch(`http://127.0.0.1:${second.port}/health?region=us-west-2`);
      expect(response.status).toBe(200);
      await response.text();
      expect(second.requestsByRegion.get('us-west-2')).toBe(1);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
