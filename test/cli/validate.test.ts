import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturedOutput } from '../../cli/output';
import { main } from '../../cli/pendulum';

const samplePlan = new URL('../../examples/pendulum.yaml', import.meta.url).pathname;

async function run(...args: string[]) {
  const outputs: ReturnType<typeof capturedOutput>[] = [];
  const code = await main(['node', 'pendulum', ...args], (json) => {
    const out = capturedOutput(json);
    outputs.push(out);
    return out;
  });
  return {
    code,
    stdout: outputs.flatMap((o) => o.stdout).join('\n'),
    stderr: outputs.flatMap((o) => o.stderr).join('\n'),
  };
}

function planFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pendulum-plan-')), 'plan.yaml');
  writeFileSync(file, text);
  return file;
}

describe('pendulum validate', () => {
  it('exits 0 with a one-line summary for a valid plan', async () => {
    const { code, stdout } = await run('validate', '--plan', samplePlan);
    expect(code).toBe(0);
    expect(stdout.split('\n')).toHaveLength(1);
    expect(stdout).toMatch(/valid plan for shop, us-east-1 → us-west-2, 2 tier\(s\)/);
  });

  it('exits 2 and lists every problem with its path and line', async () => {
    const file = planFile(
      'app: Shop\nprimaryRegion: us-east-1\nrecoveryRegion: us-east-1\ntiers:\n  - name: a\n    rpo: soon\n    rto: 1h\n    resources: []\n',
    );
    const { code, stderr } = await run('validate', '--plan', file);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:1:6 app: expected a lower-case name`);
    expect(stderr).toContain(`${file}:6:10 tiers[0].rpo: expected a duration`);
    expect(stderr).toContain('tiers[0].resources: a tier needs at least one resource');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 for a missing file, an empty file and a YAML syntax error, without a stack trace', async () => {
    const missing = await run('validate', '--plan', '/nonexistent/plan.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no plan file at \/nonexistent\/plan.yaml/);

    const empty = await run('validate', '--plan', planFile(''));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty/);

    const syntax = await run('validate', '--plan', planFile('app: shop\ntiers: [\n'));
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/plan.yaml:\d+:\d+ YAML syntax error/);
  });

  it('prints machine-readable problems with --json', async () => {
    const { code, stdout } = await run('validate', '--plan', planFile('app: shop\n'), '--json');
    expect(code).toBe(2);
    const parsed = JSON.parse(stdout);
    expect(parsed.valid).toBe(false);
    expect(parsed.problems.map((p: { path: unknown[] }) => p.path)).toEqual(
      expect.arrayContaining([['primaryRegion'], ['recoveryRegion'], ['tiers']]),
    );
  });

  it('exits 2 on bad usage', async () => {
    expect((await run('validate')).code).toBe(2);
    expect((await run('no-such-command')).code).toBe(2);
  });
});
