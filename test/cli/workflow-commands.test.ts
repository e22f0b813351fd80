/**
 * The workflow commands end to end with --local: the sample estate in moto, the synthesized
 * workflows run in-process, and the CLI driven through main() with its output captured.
 * One estate for the file; the tests run in order and build on each other (register, protect,
 * plan, drill, failover, a refused second failover, plan failback, status, approve, report).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { loadPlanFile } from '../../lib/plan-file';
import { deployLocalStack } from '../../local/local-stack';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { runCli, samplePlanFile, withoutEndpoint } from './run-cli';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();

async function recoveredInstances(): Promise<number> {
  const { Reservations = [] } = await clients()
    .ec2('us-west-2')
    .send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:pendulum:failover', Values: ['*'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      }),
    );
  return Reservations.flatMap((r) => r.Instances ?? []).length;
}

describe('pendulum workflow commands (--local)', () => {
  let planFile: string;
  let estate: SampleEstate;
  let state: StateTable;
  let failoverRunId = '';

  beforeAll(async () => {
    await aws.reset();
    planFile = samplePlanFile(health.url());
    // The estate the example plan names, its Aurora cluster included.
    estate = await createSampleEstate(clients(), { auroraCluster: true });
    const stack = await deployLocalStack(loadPlanFile(planFile));
    state = new StateTable(clients().dynamo(), stack.tableName);
  });

  it('register: runs the register workflow and says where the app is active', async () => {
    const { code, stdout } = await runCli('register', '--plan', planFile, '--local');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Run register-\d{8}T\d{4}-[0-9a-f]{10}$/m);
    expect(stdout).toMatch(/✓ RegisterApp \d+\.\ds/);
    expect(stdout).toContain('shop is registered: PRIMARY_ACTIVE, active in us-east-1.');
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
  });

  it('protect --json: makes recovery points of every tier', async () => {
    const { code, stdout } = await runCli('protect', '--plan', planFile, '--local', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ status: 'SUCCEEDED', workflow: 'protect', mode: 'local' });
    expect(result.output.results.map((r: { tier: string }) => r.tier)).toEqual(['data', 'app']);
    expect(result.output.results.every((r: { missing: number }) => r.missing === 0)).toBe(true);
  });

  it('protect --tier: refuses a tier the plan does not have (exit 2)', async () => {
    const { code, stderr } = await runCli('protect', '--plan', planFile, '--local', '--tier', 'cache');
    expect(code).toBe(2);
    expect(stderr).toContain('no tier cache in the plan; its tiers are data, app');
  });

  it('plan failover: shows the change set as tables and writes nothing', async () => {
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    const { code, stdout } = await runCli('plan', 'failover', '--plan', planFile, '--local');

    expect(code).toBe(0);
    expect(stdout).toContain('failover plan for shop, us-east-1 → us-west-2, recovery point latest');
    // 4 instances, shop-db and the cluster shop-orders
    expect(stdout).toContain('Resources to create in us-west-2 (6):');
    expect(stdout).toMatch(/data\s+shop-db\s+shop-db\s+restore database/);
    expect(stdout).toMatch(/launch instance/);
    expect(stdout).toMatch(/DNS changes \(\d+\):/);
    expect(stdout).toMatch(/www\.shop\.example\.com\.?\s+A\s+.+→\s+<address of recovered i-/);
    expect(stdout).not.toMatch(/✓ PrepareFailover/); // no step lines, just the change set
    // Nothing written: no lock, no run, nothing launched, DNS as it was.
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(await state.listRuns('shop')).toEqual([]);
    expect(await recoveredInstances()).toBe(0);
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
  });

  it('drill: rehearses the failover and tears it down, leaving production as it was', async () => {
    const { code, stdout, stderr } = await runCli('drill', '--plan', planFile, '--local');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ drill succeeded in \S+ \(run \S+\)/);
    expect(stdout).toMatch(/Drill RTO \d+s/);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(await recoveredInstances()).toBe(0);
  });

  it('failover --json: fails over and prints { status, runId, rtoSeconds, output, outcome }', async () => {
    const { code, stdout, stderr } = await runCli(
      'failover',
      '--plan',
      planFile,
      '--local',
      '--reason',
      'rehearsal',
      '--json',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      workflow: 'failover',
      runId: expect.stringMatching(/^failover-\d{8}T\d{4}-[0-9a-f]{10}$/),
      rtoSeconds: expect.any(Number),
      output: {
        status: 'FAILED_OVER',
        app: 'shop',
        activeRegion: 'us-west-2',
        recovered: 6,
        targetsMet: true,
        outcomeKey: expect.stringMatching(/^runs\/shop\/failover-.+\/outcome\.json$/),
      },
    });
    expect(result.output.runId).toBe(result.runId);
    expect(result.rtoSeconds).toBe(result.output.rtoSeconds);
    // The outcome people ask for first: RPO per resource, what was recovered, DNS changes, snapshot.
    expect(Object.keys(result.outcome.rpoSeconds)).toHaveLength(6);
    expect(result.outcome.recovered).toHaveLength(6);
    expect(result.outcome.dnsChanges[0].changes.map((c: { name: string }) => c.name).sort()).toEqual([
      'api.shop.example.com.',
      'db.shop.example.com.',
      'orders-db.shop.example.com.',
      'orders-ro.shop.example.com.',
      'static.shop.example.com.',
      'www.shop.example.com.',
    ]);
    expect(result.outcome.dnsSnapshotKey).toMatch(/^episodes\/shop\/.+\/dns-snapshot\.json$/);
    failoverRunId = result.runId;
    expect(await recoveredInstances()).toBe(4);
  });

  it('a second failover exits 1 with the WrongStateError, and shows which step refused', async () => {
    const { code, stdout, stderr } = await runCli('failover', '--plan', planFile, '--local');
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ PrepareFailover WrongStateError: failover cannot start: shop is FAILED_OVER/);
    expect(stdout).toMatch(/✗ FailoverRejected WrongStateError$/m);
    expect(stderr).toMatch(
      /✗ failover FAILED after \S+ \(run failover-.+\): WrongStateError: failover cannot start: shop is FAILED_OVER/,
    );
    expect(await recoveredInstances()).toBe(4);
  });

  it("plan failback: shows what would come home and every managed record's decision, changing nothing", async () => {
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);
    const { code, stdout } = await runCli('plan', 'failback', '--plan', planFile, '--local');
    expect(code).toBe(0);
    expect(stdout).toContain('failback plan for shop, us-west-2 → us-east-1');
    expect(stdout).toContain('A dry run: nothing was created or changed.');
    expect(stdout).toMatch(/Resources to bring home to us-east-1 \(6\):/);
    expect(stdout).toMatch(/www\.shop\.example\.com\. A\s+upsert/);
    expect(stdout).toMatch(/Stored as runs\/shop\/failback-\S+\/reconciliation\.json/);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
  });

  it('status --json: failed over, lock free, the run listed, every tier within its RPO', async () => {
    const { code, stdout } = await runCli('status', '--plan', planFile, '--local', '--json');
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status).toMatchObject({
      app: 'shop',
      status: 'FAILED_OVER',
      activeRegion: 'us-west-2',
      lock: { held: false, runId: failoverRunId },
      rpoMet: true,
    });
    // Newest first: the failover, then the drill.
    expect(status.runs.map((r: { workflow: string; status: string }) => `${r.workflow} ${r.status}`)).toEqual(
      ['failover SUCCEEDED', 'drill DRILL_PASSED'],
    );
    expect(status.runs[0]).toMatchObject({ runId: failoverRunId, targetsMet: true });
    expect(status.tiers.map((t: { tier: string }) => t.tier)).toEqual(['data', 'app']);
    const app = status.tiers[1];
    expect(app.resources).toHaveLength(estate.instances.web.length + estate.instances.api.length);
    expect(
      app.resources.every((r: { missing: boolean; ageSeconds: number }) => !r.missing && r.ageSeconds < 600),
    ).toBe(true);
  });

  it('status: the same for people', async () => {
    const { code, stdout } = await runCli('status', '--plan', planFile, '--local');
    expect(code).toBe(0);
    expect(stdout).toContain(
      'shop: FAILED_OVER, active in us-west-2 (primary us-east-1, recovery us-west-2)',
    );
    expect(stdout).toContain(`lock: free (last run ${failoverRunId})`);
    expect(stdout).toMatch(/tier data: RPO 1h, worst \S+ ✓ within RPO/);
    expect(stdout).toMatch(/shop-db\s+shop-db\s+pendulum-shop-rp-shop-db-/);
  });

  it("approve: writes the approval record, valid for the plan's approvalTimeout", async () => {
    const { code, stdout } = await runCli(
      'approve',
      '--plan',
      planFile,
      '--local',
      '--by',
      'alice',
      '--reason',
      'primary down, INC-1234',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ failover of shop approved by alice until \S+ \(30m\): primary down, INC-1234/);
    const item = await state.get('APP#shop', 'APPROVAL#failover');
    expect(item).toMatchObject({
      approvedBy: 'alice',
      reason: 'primary down, INC-1234',
      workflow: 'failover',
    });
    const approvedAt = Date.parse(String(item?.approvedAt));
    expect(Math.abs(approvedAt - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(String(item?.expiresAt)) - approvedAt).toBe(30 * 60_000);
  });

  it('approve: needs --by and --reason (exit 2)', async () => {
    expect((await runCli('approve', '--plan', planFile, '--local', '--reason', 'x')).code).toBe(2);
    expect((await runCli('approve', '--plan', planFile, '--local', '--by', 'alice')).code).toBe(2);
  });

  it('report: writes the failover report as Markdown and HTML from the recorded outcome', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pendulum-reports-'));
    const md = await runCli('report', failoverRunId, '--plan', planFile, '--local', '--out', dir);
    expect(md.code, md.stderr).toBe(0);
    const markdown = readFileSync(join(dir, `${failoverRunId}.md`), 'utf8');
    expect(markdown).toContain('FAILED_OVER');
    expect(markdown).toContain('www.shop.example.com');
    const html = await runCli(
      'report',
      failoverRunId,
      '--plan',
      planFile,
      '--local',
      '--format',
      'html',
      '--out',
      dir,
    );
    expect(html.code, html.stderr).toBe(0);
    expect(existsSync(join(dir, `${failoverRunId}.html`))).toBe(true);

    const unknown = await runCli(
      'report',
      'failover-19700101T0000-0000000000',
      '--plan',
      planFile,
      '--local',
      '--out',
      dir,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run failover-19700101T0000-0000000000 of shop/);
  });

  it('exits 2 on bad usage, before doing anything', async () => {
    const missingPlan = await runCli('failover', '--local');
    expect(missingPlan.code).toBe(2);
    expect(missingPlan.stderr).toMatch(/required option '--plan <file>' not specified/);

    const unknownOption = await runCli('failover', '--plan', planFile, '--local', '--colour', 'blue');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option '--colour'/);

    const badPoint = await runCli('failover', '--plan', planFile, '--local', '--recovery-point', 'yesterday');
    expect(badPoint.code).toBe(2);
    expect(badPoint.stderr).toMatch(/--recovery-point.*expected "latest" or an ISO-8601 time/);

    const badSteps = await runCli('failback', '--plan', planFile, '--local', '--steps', '50,10');
    expect(badSteps.code).toBe(2);

    const noEndpoint = await withoutEndpoint(() => runCli('failover', '--plan', planFile, '--local'));
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.stderr).toContain(
      'set AWS_ENDPOINT_URL to your local AWS; `npm run rehearse` starts one',
    );

    const badPlan = await runCli('failover', '--plan', '/nonexistent/plan.yaml', '--local');
    expect(badPlan.code).toBe(2);
    expect(badPlan.stderr).toMatch(/no plan file at \/nonexistent\/plan.yaml/);

    // Still failed over, and no run started.
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect((await state.listRuns('shop'))[0]?.runId).toBe(failoverRunId);
  });

  it('--help lists examples for every command', async () => {
    for (const command of [
      'register',
      'protect',
      'plan',
      'failover',
      'failback',
      'drill',
      'approve',
      'status',
      'report',
      'runbook',
    ]) {
      const { code, stdout } = await runCli(command, '--help');
      expect(code, command).toBe(0);
      expect(stdout, command).toContain('Examples:');
      expect(stdout, command).toContain(`pendulum ${command}`);
    }
  });
});
