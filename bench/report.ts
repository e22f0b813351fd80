/**
 * The benchmark's results as data, the targets judged against them, and the table printed at the
 * end (Markdown, so it can be pasted into bench/README.md as is).
 */
import { formatModeled, type ModeledRto } from '../cli/rehearsal/modeled-time';
import { fitPowerLaw, type PowerFit } from './fit-exponent';
import type { Measurement } from './measure-run';
import type { ModeledFloor } from './modeled-floor';
import { EVENT_TARGET } from './render-chart';

export const WORKFLOWS = ['protect', 'failover', 'failback'] as const;
export type Workflow = (typeof WORKFLOWS)[number];
/** Workflows that move DNS (and so send change batches). */
export const DNS_WORKFLOWS: readonly Workflow[] = ['failover', 'failback'];

export const PAYLOAD_TARGET_BYTES = 64 * 1024;
export const CALLS_TARGET_RATIO = 1.25;
export const TIME_TARGET_RATIO = 1.5;
export const TARGET_N = 1000;

/** What one Task state cost over a run: its invocations, their time, the API calls made meanwhile. */
export interface StateCost {
  readonly invocations: number;
  readonly totalMs: number;
  readonly calls: Record<string, number>;
}

export interface PendulumRun {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly measurement: Measurement;
  readonly events: number;
  readonly taskInvocations: number;
  readonly largestPayloadBytes: number;
  /** By Task state name. */
  readonly states?: Record<string, StateCost>;
}

export interface FloorRun {
  readonly measurement?: Measurement;
  readonly error?: string;
}

/** A run on the realistic local AWS: its modeled time (of what ran, if it failed) and the floor's. */
export interface ModeledRun {
  /** From the run's first to its last event, in virtual time; absent when nothing ran. */
  readonly ms?: number;
  readonly floor: ModeledFloor;
  /** Failover only: to DNS in sync, and per tier. */
  readonly rto?: ModeledRto;
}

export interface RunRecord {
  readonly n: number;
  readonly workflow: Workflow;
  /** Instances plus databases. */
  readonly resources: number;
  /** Managed records per zone that this workflow changes (DNS workflows). */
  readonly dnsChangesPerZone?: readonly number[];
  readonly pendulum?: PendulumRun;
  readonly floor?: FloorRun;
  /** Why the workflow was not run. */
  readonly skipped?: string;
  /** Only with `--aws realistic`. */
  readonly modeled?: ModeledRun;
}

export interface TargetResult {
  readonly id: string;
  readonly workflow?: Workflow;
  readonly description: string;
  readonly met: boolean | null;
  /** The measured number, as printed. */
  readonly value: string;
  readonly detail?: string;
}

const ok = (r: RunRecord) => r.pendulum?.status === 'SUCCEEDED';
const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
export const x2 = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}`;

/** Change batches the target allows: per zone and DNS move one per 1,000 changes (failback: data records, then the rest). */
export function expectedBatches(changesPerZone: readonly number[]): number {
  return changesPerZone.reduce((n, changes) => n + Math.max(1, Math.ceil(changes / 1000)), 0);
}

export function timeFits(
  runs: readonly RunRecord[],
  workflow: Workflow,
): { pendulum?: PowerFit; floor?: PowerFit } {
  const mine = runs.filter((r) => r.workflow === workflow && ok(r));
  const pendulum = fitPowerLaw(mine.map((r) => ({ n: r.n, value: r.pendulum?.measurement.wallMs ?? 0 })));
  const floor = fitPowerLaw(
    mine
      .filter((r) => r.floor?.measurement)
      .map((r) => ({ n: r.n, value: r.floor?.measurement?.wallMs ?? 0 })),
  );
  return { ...(pendulum ? { pendulum } : {}), ...(floor ? { floor } : {}) };
}

/** The growth exponent between the two largest sizes: where constant costs no longer hide it. */
export function lastSlope(points: readonly { n: number; value: number }[]): { slope: number } | undefined {
  const sorted = points.filter((p) => p.n > 0 && p.value > 0).sort((a, b) => a.n - b.n);
  const a = sorted.at(-2);
  const b = sorted.at(-1);
  if (!a || !b || a.n === b.n) return undefined;
  return { slope: Math.log(b.value / a.value) / Math.log(b.n / a.n) };
}

/** The run a "at N = 1000" target reads: N = 1000 if measured, else the largest N (said in detail). */
function atTargetN(runs: readonly RunRecord[]): { run?: RunRecord; note: string } {
  const exact = runs.find((r) => r.n === TARGET_N);
  if (exact) return { run: exact, note: '' };
  const largest = [...runs].sort((a, b) => b.n - a.n)[0];
  return { run: largest, note: largest ? ` (N = ${TARGET_N} not measured; read at N = ${largest.n})` : '' };
}

export function evaluateTargets(runs: readonly RunRecord[]): TargetResult[] {
  const targets: TargetResult[] = [];
  for (const workflow of WORKFLOWS) {
    const mine = runs.filter((r) => r.workflow === workflow).sort((a, b) => a.n - b.n);
    if (mine.length === 0) continue;
    const failed = mine.filter((r) => !ok(r));
    if (mine.every((r) => !ok(r))) {
      const why = mine[0]?.skipped ?? `${mine[0]?.pendulum?.status} ${mine[0]?.pendulum?.error ?? ''}`.trim();
      targets.push({
        id: 'runs',
        workflow,
        description: `${workflow} completes`,
        met: false,
        value: why,
        detail: 'no successful run: its targets cannot be judged',
      });
      continue;
    }
    if (failed.length > 0)
      targets.push({
        id: 'runs',
        workflow,
        description: `${workflow} completes at every N`,
        met: false,
        value: failed
          .map((r) => `N=${r.n}: ${r.skipped ?? `${r.pendulum?.status} ${r.pendulum?.error ?? ''}`}`)
          .join('; '),
      });
    const good = mine.filter(ok);
    const withFloor = good.filter((r) => r.floor?.measurement);

    // API calls per resource vs the floor, read at N = 1000 (constant overhead fades as N grows).
    const { run: callsRun, note: callsNote } = atTargetN(withFloor);
    if (callsRun) {
      const r = ratio(
        callsRun.pendulum?.measurement.totalCalls ?? 0,
        callsRun.floor?.measurement?.totalCalls ?? 0,
      );
      targets.push({
        id: 'api-calls-per-resource',
        workflow,
        description: `${workflow}: API calls per resource within ${CALLS_TARGET_RATIO}× the floor at N = ${TARGET_N}`,
        met: r <= CALLS_TARGET_RATIO,
        value: x2(r),
        detail:
          withFloor
            .map(
              (w) =>
                `N=${w.n}: ${((w.pendulum?.measurement.totalCalls ?? 0) / w.resources).toFixed(2)} vs ${((w.floor?.measurement?.totalCalls ?? 0) / w.resources).toFixed(2)} per resource (${x2(ratio(w.pendulum?.measurement.totalCalls ?? 0, w.floor?.measurement?.totalCalls ?? 0))})`,
            )
            .join('; ') + callsNote,
      });
    }

    if (DNS_WORKFLOWS.includes(workflow)) {
      const wrong = good.filter(
        (r) => r.pendulum?.measurement.route53ChangeBatches !== expectedBatches(r.dnsChangesPerZone ?? [1]),
      );
      targets.push({
        id: 'route53-change-batches',
        workflow,
        description: `${workflow}: Route 53 change batches = zones × ⌈changes / 1,000⌉${workflow === 'failback' ? ' (data records, then the rest)' : ''}`,
        met: wrong.length === 0,
        value: good
          .map(
            (r) =>
              `N=${r.n}: ${r.pendulum?.measurement.route53ChangeBatches} (target ${expectedBatches(r.dnsChangesPerZone ?? [1])}, floor ${r.floor?.measurement?.route53ChangeBatches ?? 'n/a'})`,
          )
          .join('; '),
      });
    }

    const { run: eventsRun, note: eventsNote } = atTargetN(good);
    if (eventsRun)
      targets.push({
        id: 'history-events',
        workflow,
        description: `${workflow}: history events at N = ${TARGET_N} under ${EVENT_TARGET.toLocaleString('en-US')}`,
        met: (eventsRun.pendulum?.events ?? 0) < EVENT_TARGET,
        value: `${eventsRun.pendulum?.events}${eventsNote}`,
      });

    const largest = Math.max(...good.map((r) => r.pendulum?.largestPayloadBytes ?? 0));
    targets.push({
      id: 'largest-payload',
      workflow,
      description: `${workflow}: largest state payload under 64 KiB at every N`,
      met: largest < PAYLOAD_TARGET_BYTES,
      value: kib(largest),
      detail: good.map((r) => `N=${r.n}: ${kib(r.pendulum?.largestPayloadBytes ?? 0)}`).join('; '),
    });

    const fits = timeFits(runs, workflow);
    const tail = lastSlope(good.map((r) => ({ n: r.n, value: r.pendulum?.measurement.wallMs ?? 0 })));
    const floorTail = lastSlope(withFloor.map((r) => ({ n: r.n, value: r.floor?.measurement?.wallMs ?? 0 })));
    if (fits.pendulum) {
      const limit = Math.max(1, fits.floor?.exponent ?? 1) + 0.1;
      targets.push({
        id: 'wall-time-exponent',
        workflow,
        description: `${workflow}: wall time grows at most linearly (exponent ≤ max(1, floor's) + 0.1)`,
        met: fits.pendulum.exponent <= limit,
        value: `${fits.pendulum.exponent.toFixed(2)}`,
        detail: `fit over ${fits.pendulum.points} sizes, r² ${fits.pendulum.r2.toFixed(3)}; floor ${fits.floor ? fits.floor.exponent.toFixed(2) : 'n/a'}${tail ? `; slope between the two largest N: ${tail.slope.toFixed(2)} (floor ${floorTail ? floorTail.slope.toFixed(2) : 'n/a'})` : ''}`,
      });
    }
    const { run: timeRun, note: timeNote } = atTargetN(withFloor);
    if (timeRun) {
      const r = ratio(timeRun.pendulum?.measurement.wallMs ?? 0, timeRun.floor?.measurement?.wallMs ?? 0);
      targets.push({
        id: 'wall-time-vs-floor',
        workflow,
        description: `${workflow}: wall time within ${TIME_TARGET_RATIO}× the floor at N = ${TARGET_N}`,
        met: r <= TIME_TARGET_RATIO,
        value: x2(r),
        detail: `${secs(timeRun.pendulum?.measurement.wallMs ?? 0)} s vs ${secs(timeRun.floor?.measurement?.wallMs ?? 0)} s${timeNote}`,
      });
    }
  }
  return targets;
}

export function formatTargets(targets: readonly TargetResult[]): string {
  return targets
    .map((t) => {
      const mark = t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED';
      return `${mark} ${t.description}: ${t.value}${t.detail ? `\n         ${t.detail}` : ''}`;
    })
    .join('\n');
}

const COLUMNS = [
  'N',
  'workflow',
  'status',
  'wall s',
  'floor s',
  'time ×',
  'API calls',
  'floor calls',
  'calls/res',
  'floor/res',
  'calls ×',
  'R53 batches (floor)',
  'events',
  'tasks',
  'max payload',
  'peak RSS MiB',
] as const;

const MODELED_COLUMNS = ['modeled', 'modeled floor', 'modeled ×'] as const;

/** The modeled columns of a row: the run's time (marked when it did not succeed), the floor, the ratio. */
export function modeledCells(r: RunRecord): string[] {
  const m = r.modeled;
  if (!m) return MODELED_COLUMNS.map(() => '');
  const succeeded = r.pendulum?.status === 'SUCCEEDED';
  const ran = m.ms !== undefined ? `${formatModeled(m.ms)}${succeeded ? '' : ' (until it stopped)'}` : '';
  return [ran, formatModeled(m.floor.ms), m.ms !== undefined && succeeded ? x2(m.ms / m.floor.ms) : ''];
}

const columnsFor = (runs: readonly RunRecord[]): readonly string[] =>
  runs.some((r) => r.modeled) ? [...COLUMNS, ...MODELED_COLUMNS] : COLUMNS;

export function tableRows(runs: readonly RunRecord[]): string[][] {
  const modeled = runs.some((r) => r.modeled);
  return [...runs]
    .sort((a, b) => a.n - b.n || WORKFLOWS.indexOf(a.workflow) - WORKFLOWS.indexOf(b.workflow))
    .map((r) => {
      const p = r.pendulum;
      const f = r.floor?.measurement;
      const extra = modeled ? modeledCells(r) : [];
      if (!p)
        return [String(r.n), r.workflow, r.skipped ?? 'not run', ...COLUMNS.slice(3).map(() => ''), ...extra];
      const pm = p.measurement;
      return [
        String(r.n),
        r.workflow,
        p.status === 'SUCCEEDED' ? 'ok' : `${p.status}${p.error ? ` ${p.error}` : ''}`,
        secs(pm.wallMs),
        f ? secs(f.wallMs) : r.floor?.error ? 'error' : '',
        f ? x2(pm.wallMs / f.wallMs) : '',
        String(pm.totalCalls),
        f ? String(f.totalCalls) : '',
        (pm.totalCalls / r.resources).toFixed(2),
        f ? (f.totalCalls / r.resources).toFixed(2) : '',
        f ? x2(pm.totalCalls / f.totalCalls) : '',
        `${pm.route53ChangeBatches}${f ? ` (${f.route53ChangeBatches})` : ''}`,
        String(p.events),
        String(p.taskInvocations),
        kib(p.largestPayloadBytes),
        (pm.peakRssBytes / 2 ** 20).toFixed(0),
        ...extra,
      ];
    });
}

export function formatTable(runs: readonly RunRecord[]): string {
  const rows = tableRows(runs);
  const columns = columnsFor(runs);
  const lines = [
    `| ${columns.join(' | ')} |`,
    `|${columns.map((c) => (c === 'workflow' || c === 'status' ? ':--' : '--:')).join('|')}|`,
  ];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** A Lambda error's message out of its (possibly truncated) JSON cause, on one line. */
export function causeLine(cause: string, max = 300): string {
  const message = /"errorMessage":"((?:[^"\\]|\\.)*)/.exec(cause)?.[1] ?? cause;
  const line = message.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Per realistic run: what the floor is made of, and how the run ended when it did not succeed. */
export function formatModeledFloors(runs: readonly RunRecord[]): string {
  const lines: string[] = [];
  for (const r of [...runs].sort(
    (a, b) => a.n - b.n || WORKFLOWS.indexOf(a.workflow) - WORKFLOWS.indexOf(b.workflow),
  )) {
    const m = r.modeled;
    if (!m) continue;
    const p = r.pendulum;
    const outcome = !p
      ? (r.skipped ?? 'not run')
      : p.status === 'SUCCEEDED'
        ? `modeled ${m.ms !== undefined ? formatModeled(m.ms) : 'n/a'}`
        : `${p.status}${p.error ? ` ${p.error}` : ''} after a modeled ${m.ms !== undefined ? formatModeled(m.ms) : 'n/a'}${p.cause ? `: ${causeLine(p.cause)}` : ''}`;
    const rto = m.rto
      ? `; RTO ${m.rto.overallMs !== undefined ? formatModeled(m.rto.overallMs) : 'not reached'} (${m.rto.tiers.map((t) => `${t.tier} ${t.ms !== undefined ? formatModeled(t.ms) : '?'}`).join(', ')})`
      : '';
    lines.push(`  N=${r.n} ${r.workflow}: ${outcome}${rto}`);
    lines.push(
      `    floor ${formatModeled(m.floor.ms)} = ${m.floor.terms.map((t) => `${t.term} ${formatModeled(t.ms)}`).join(' + ')}`,
    );
  }
  return lines.join('\n');
}
