import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../bench/measure-run';
import {
  causeLine,
  evaluateTargets,
  expectedBatches,
  formatModeledFloors,
  formatTable,
  lastSlope,
  type RunRecord,
  type Workflow,
} from '../../bench/report';

const m = (wallMs: number, totalCalls: number, batches = 0): Measurement => ({
  wallMs,
  calls: {},
  totalCalls,
  byService: {},
  route53ChangeBatches: batches,
  peakRssBytes: 100 * 2 ** 20,
  latency: {},
  awsBusyMs: wallMs,
  retries: {},
});

const run = (
  n: number,
  workflow: Workflow,
  p: [number, number, number],
  f: [number, number, number],
  events = 60,
): RunRecord => ({
  n,
  workflow,
  resources: n + n / 10,
  dnsChangesPerZone: workflow === 'protect' ? undefined : [n],
  pendulum: {
    status: 'SUCCEEDED',
    measurement: m(...p),
    events,
    taskInvocations: 10,
    largestPayloadBytes: 2048,
  },
  floor: { measurement: m(...f) },
});

describe('judging the targets', () => {
  it('allows one change batch per zone per 1,000 changes', () => {
    expect(expectedBatches([10])).toBe(1);
    expect(expectedBatches([1000, 1001, 0])).toBe(1 + 2 + 1);
  });

  it('reads calls and time against the floor at N = 1000, the exponent over every N', () => {
    const runs = [
      run(10, 'failover', [1000, 60, 1], [200, 20, 1]),
      run(100, 'failover', [4000, 170, 1], [2000, 120, 1]),
      run(1000, 'failover', [30000, 1200, 2], [25000, 1100, 2]),
    ];
    const targets = evaluateTargets(runs);
    const byId = (id: string) => targets.find((t) => t.id === id && t.workflow === 'failover');

    expect(byId('api-calls-per-resource')).toMatchObject({ met: true, value: '1.09×' });
    expect(byId('wall-time-vs-floor')).toMatchObject({ met: true, value: '1.20×' });
    expect(byId('history-events')).toMatchObject({ met: true, value: '60' });
    expect(byId('largest-payload')).toMatchObject({ met: true, value: '2.0 KiB' });
    // 1 batch at 1,000 changes is the target; 2 is missed even though the floor needed 2 too.
    expect(byId('route53-change-batches')?.met).toBe(false);
    expect(byId('route53-change-batches')?.value).toContain('N=1000: 2 (target 1, floor 2)');
    const exponent = byId('wall-time-exponent');
    expect(Number(exponent?.value)).toBeGreaterThan(0.7);
    expect(Number(exponent?.value)).toBeLessThan(0.8);
    expect(exponent?.met).toBe(true);
  });

  it('a workflow that never succeeded is one missed target, not a crash', () => {
    const base = run(10, 'failback', [1, 1, 1], [1, 1, 1]);
    const failed: RunRecord = {
      ...base,
      pendulum: { ...(base.pendulum as NonNullable<RunRecord['pendulum']>), status: 'FAILED', error: 'Boom' },
    };
    expect(evaluateTargets([failed])).toEqual([
      expect.objectContaining({ id: 'runs', workflow: 'failback', met: false, value: 'FAILED Boom' }),
    ]);
  });

  it('the slope between the two largest sizes shows growth the constant costs hide', () => {
    expect(
      lastSlope([
        { n: 10, value: 1 },
        { n: 100, value: 10 },
        { n: 1000, value: 1000 },
      ])?.slope,
    ).toBeCloseTo(2, 10);
    expect(lastSlope([{ n: 10, value: 1 }])).toBeUndefined();
  });

  it('prints one Markdown row per size and workflow', () => {
    const table = formatTable([
      run(100, 'protect', [7000, 650, 0], [1400, 225, 0]),
      run(10, 'protect', [1200, 77, 0], [200, 27, 0]),
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\| 10 \| protect \| ok \| 1\.2 \| 0\.2 \| 6\.00× \| 77 \| 27 \|/);
    expect(lines[3]).toMatch(/^\| 100 \| protect \|/);
  });
});

describe('modeled time (realistic runs)', () => {
  const floor = {
    ms: 18 * 60_000 + 30_000,
    terms: [
      { term: 'data databases: restore', ms: 17 * 60_000 },
      { term: 'app instances: RunInstances → running', ms: 45_000 },
      { term: 'DNS: propagation', ms: 45_000 },
    ],
  };
  const realistic = (r: RunRecord, ms: number | undefined): RunRecord => ({
    ...r,
    floor: undefined,
    modeled: { ...(ms !== undefined ? { ms } : {}), floor },
  });

  it('leaves the instant table as it was: no modeled columns without modeled runs', () => {
    const header = formatTable([run(10, 'failover', [1200, 59, 1], [200, 17, 1])]).split('\n')[0] ?? '';
    expect(header).not.toContain('modeled');
    expect(header.split('|').length - 2).toBe(16);
  });

  it("adds the run's modeled time, the floor and their ratio to each row", () => {
    const lines = formatTable([realistic(run(10, 'failover', [3400, 138, 1], [0, 0, 0]), 37 * 60_000)]).split(
      '\n',
    );
    expect(lines[0]).toMatch(/\| modeled \| modeled floor \| modeled × \|$/);
    expect(lines[2]).toMatch(/\| 37m 00s \| 18m 30s \| 2\.00× \|$/);
    expect(lines[2]).toMatch(/^\| 10 \| failover \| ok \| 3\.4 \| {2}\| {2}\| 138 \|/);
  });

  it('shows a failed run as failed: the modeled time of what ran, no ratio, and why it stopped', () => {
    const failed: RunRecord = {
      ...realistic(run(10, 'failover', [3400, 138, 1], [0, 0, 0]), 18 * 60_000 + 44_000),
      pendulum: {
        ...(run(10, 'failover', [3400, 138, 1], [0, 0, 0]).pendulum as NonNullable<RunRecord['pendulum']>),
        status: 'FAILED',
        error: 'ValidationFailedError',
        cause:
          '{"errorType":"ValidationFailedError","errorMessage":"tier app: 10 resource(s) can never become re',
      },
    };
    const skipped: RunRecord = {
      n: 10,
      workflow: 'failback',
      resources: 11,
      skipped: 'skipped: failover did not succeed',
      modeled: { floor },
    };
    const lines = formatTable([failed, skipped]).split('\n');
    expect(lines[2]).toContain('| FAILED ValidationFailedError |');
    expect(lines[2]).toMatch(/\| 18m 44s \(until it stopped\) \| 18m 30s \| {2}\|$/);
    expect(lines[3]).toMatch(
      /^\| 10 \| failback \| skipped: failover did not succeed \|.*\| {2}\| 18m 30s \| {2}\|$/,
    );

    const detail = formatModeledFloors([failed, skipped]);
    expect(detail).toContain(
      'N=10 failover: FAILED ValidationFailedError after a modeled 18m 44s: tier app: 10 resource(s) can never become re',
    );
    expect(detail).toContain(
      'floor 18m 30s = data databases: restore 17m 00s + app instances: RunInstances → running 45s + DNS: propagation 45s',
    );
    expect(detail).toContain('N=10 failback: skipped: failover did not succeed');
  });

  it("reads a Lambda error's message out of its JSON cause, even cut short", () => {
    expect(causeLine('{"errorType":"X","errorMessage":"tier app: not ready"}')).toBe('tier app: not ready');
    expect(causeLine('plain\nsecond line')).toBe('plain');
    expect(causeLine('x'.repeat(10), 4)).toBe('xxxx…');
  });
});
