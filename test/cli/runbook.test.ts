/**
 * The runbook is generated from the plan and the workflows as synthesized: every state of the
 * failover workflow must be in it, in execution order, each with a manual fallback.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type AslDefinitionLike, walkStates } from '../../cli/runbook/asl-walk';
import { STEP_CATALOGUE } from '../../cli/runbook/step-catalogue';
import { loadPlanFile } from '../../lib/plan-file';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { stateMachines } from '../../local/synthesized-app';
import { runCli, SAMPLE_PLAN } from './run-cli';

/** Every state name in a definition, nested ones included. */
function allStateNames(definition: { States?: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(definition.States ?? {}).flatMap(([name, state]) => [
    name,
    ...((state.Branches as (typeof definition)[] | undefined) ?? []).flatMap(allStateNames),
    ...(state.ItemProcessor || state.Iterator
      ? allStateNames((state.ItemProcessor ?? state.Iterator) as typeof definition)
      : []),
  ]);
}

describe('pendulum runbook', () => {
  const plan = loadPlanFile(SAMPLE_PLAN);
  let failover: AslDefinitionLike;
  let markdown: string;

  beforeAll(async () => {
    const machine = stateMachines(synthesizeTemplate(plan), { region: plan.recoveryRegion }).find(
      (m) => m.name === 'pendulum-shop-failover',
    );
    if (!machine) throw new Error('no failover state machine in the synthesized stack');
    failover = machine.definition as AslDefinitionLike;
    const file = join(mkdtempSync(join(tmpdir(), 'pendulum-runbook-')), 'RUNBOOK.md');
    const { code, stdout } = await runCli('runbook', '--plan', SAMPLE_PLAN, '--out', file);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote the runbook for shop to ${file}`);
    markdown = readFileSync(file, 'utf8');
  });

  it('has every state of the failover workflow once, in execution order, each with a manual fallback', () => {
    const names = allStateNames(failover as never);
    expect(names.length).toBeGreaterThan(20);
    const headings = [...markdown.matchAll(/^### Failover (\d+)\. (\S+) \(/gm)].map((m) => m[2]);
    expect([...headings].sort()).toEqual([...names].sort());
    expect(headings).toEqual(walkStates(failover).map((w) => w.name));
    expect(headings[0]).toBe('PrepareFailover');
    const order = [
      'DryRun?',
      'PreFailoverHooks',
      'CheckRecoveryPoints',
      'TakeFailoverLock',
      'SnapshotDns',
      'RecoverTier',
      'CutOverDns',
      'RecordFailover',
    ];
    const positions = order.map((name) => headings.indexOf(name));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const sections = markdown.split(/^### /m).filter((s) => s.startsWith('Failover '));
    expect(sections).toHaveLength(names.length);
    for (const section of sections) expect(section).toContain('- **Manual fallback:**');
  });

  it('describes every failover state from the catalogue, not a generic line', () => {
    for (const name of allStateNames(failover as never)) expect(Object.keys(STEP_CATALOGUE)).toContain(name);
  });

  it('has every state of the failback workflow once, each from the catalogue with a manual fallback', () => {
    const machine = stateMachines(synthesizeTemplate(plan), { region: plan.recoveryRegion }).find(
      (m) => m.name === 'pendulum-shop-failback',
    );
    const names = allStateNames((machine?.definition ?? {}) as never);
    expect(names.length).toBeGreaterThan(20);
    const headings = [...markdown.matchAll(/^### Failback (\d+)\. (\S+) \(/gm)].map((m) => m[2]);
    expect([...headings].sort()).toEqual([...names].sort());
    for (const name of names) expect(Object.keys(STEP_CATALOGUE)).toContain(name);
    const sections = markdown.split(/^### /m).filter((s) => s.startsWith('Failback '));
    for (const section of sections) expect(section).toContain('- **Manual fallback:**');
  });

  it('says how to start each workflow from the console and the CLI, and what to do by hand', () => {
    expect(markdown).toContain('`pendulum-shop-failover` → Start execution, with input `{}`');
    expect(markdown).toContain(`pendulum failover --plan ${SAMPLE_PLAN}`);
    expect(markdown).toContain('aws stepfunctions start-execution --region us-west-2');
    expect(markdown).toMatch(/## Protect/);
    expect(markdown).toMatch(/## Register/);
    const cutOver = markdown
      .split(/^### /m)
      .find((s) => s.startsWith('Failover') && s.includes('CutOverDns (Task'));
    expect(cutOver).toContain('aws route53 change-resource-record-sets');
    expect(cutOver).toContain('www.shop.example.com');
    expect(cutOver).toContain('static-west.shop-cdn.example.net');
    expect(markdown).toContain('**Touches:** us-west-2 (recovery)');
    expect(markdown).toContain('**Gate:** recovery points within the RPO: data ≤ 1h, app ≤ 4h');
    expect(markdown).toContain('**Retries:** NotReadyError');
    expect(markdown).toContain(
      '**On error:** RecoveryPointMissingError, RecoveryPointTooOldError, PreflightFailedError → FailoverRejected',
    );
  });

  it('prints to stdout without --out, and exits 2 on a bad plan', async () => {
    const printed = await runCli('runbook', '--plan', SAMPLE_PLAN);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^# Runbook: shop/);
    expect((await runCli('runbook', '--plan', '/nonexistent/plan.yaml')).code).toBe(2);
    expect((await runCli('runbook')).code).toBe(2);
  });

  it('docs/runbook-example.md is generated from examples/pendulum.yaml and covers the failover workflow', () => {
    const doc = readFileSync(new URL('../../docs/runbook-example.md', import.meta.url), 'utf8');
    expect(doc).toContain('Generated by `pendulum runbook --plan examples/pendulum.yaml`');
    for (const name of allStateNames(failover as never)) expect(doc).toContain(`. ${name} (`);
  });
});

describe('pendulum runbook for a plan with a private hosted zone', () => {
  it('has the association step before the cutover and the home check before failback, each with its commands', async () => {
    // Prepare: the sample plan with a private zone
    const dir = mkdtempSync(join(tmpdir(), 'pendulum-runbook-private-'));
    const sample = parse(readFileSync(SAMPLE_PLAN, 'utf8'));
    sample.dns.zones.push({ name: 'shop.internal', id: 'Z0PRIVATE0SHOP', private: true, records: [] });
    writeFileSync(join(dir, 'plan.yaml'), stringify(sample));

    // Act
    const { code } = await runCli(
      'runbook',
      '--plan',
      join(dir, 'plan.yaml'),
      '--out',
      join(dir, 'RUNBOOK.md'),
    );

    // Assess
    expect(code).toBe(0);
    const markdown = readFileSync(join(dir, 'RUNBOOK.md'), 'utf8');
    const section = (name: string) =>
      markdown.split(/^### /m).find((s) => s.includes(`. ${name} (Task`)) ?? '';
    expect(markdown.indexOf('. AssociatePrivateZones (')).toBeLessThan(markdown.indexOf('. CutOverDns ('));
    expect(section('AssociatePrivateZones')).toContain(
      'aws route53 associate-vpc-with-hosted-zone --hosted-zone-id Z0PRIVATE0SHOP --vpc VPCRegion=us-west-2',
    );
    expect(section('CheckPrivateZones')).toContain(
      'aws route53 associate-vpc-with-hosted-zone --hosted-zone-id Z0PRIVATE0SHOP --vpc VPCRegion=us-east-1',
    );
  });
});
