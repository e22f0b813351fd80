/**
 * `npm run rehearse -- --aws realistic`, in-process: the whole story on the realistic local AWS
 * (durations, eventual consistency, throttling, latency on a virtual clock). Every check passes,
 * and the times it reports are AWS's, modeled: tens of minutes of RTO, most of it the restore.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedOutput } from '../../cli/output';
import { runRehearsal } from '../../cli/rehearsal/run-rehearsal';

const reportsRoot = mkdtempSync(join(tmpdir(), 'pendulum-realistic-rehearsal-'));
afterAll(() => rmSync(reportsRoot, { recursive: true, force: true }));
const MINUTE = 60_000;

describe('the rehearsal on the realistic local AWS', () => {
  it('passes every check and reports modeled phase times and a modeled RTO per tier', {
    timeout: 300_000,
  }, async () => {
    // Act
    const out = capturedOutput();
    const result = await runRehearsal({ reportsDir: join(reportsRoot, 'realistic'), out, aws: 'realistic' });

    // Assess: the story checks out
    const failed = result.checks.filter((c) => !c.ok);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.aws).toBe('realistic');
    // Assess: modeled times, far beyond the wall time they took
    const modeled = Object.fromEntries(result.phases.map((p) => [p.name, p.modeledMs ?? 0]));
    expect(modeled.protect).toBeGreaterThan(10 * MINUTE);
    expect(modeled.failover).toBeGreaterThan(10 * MINUTE);
    const rto = result.modeledRto;
    expect(rto?.overallMs ?? 0).toBeGreaterThan(10 * MINUTE);
    expect(rto?.overallMs ?? 0).toBeLessThan(60 * MINUTE);
    const [data, app] = rto?.tiers ?? [];
    expect(data?.ms ?? 0).toBeGreaterThan(app?.ms ?? Number.POSITIVE_INFINITY);
    expect(out.stdout.join('\n')).toMatch(/Modeled RTO: \d+m \d+s to DNS in sync \(data \d+m \d+s, app /);
  });
});
