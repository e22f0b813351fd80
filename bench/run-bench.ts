/**
 * `npm run bench [-- --sizes 10,100,1000] [--no-warmup]`
 *
 * What a protect, a failover and a failback cost as the estate grows, against the floor: for each
 * size N it seeds a synthetic estate into a local AWS (its own moto), runs Pendulum's synthesized
 * workflows in-process, then resets, seeds the same estate again and runs the floor (only the
 * unavoidable API calls) the same way. Prints a table and the targets; writes
 * bench/results/results.json and bench/results/chart.svg.
 */
import './quiet-env';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Plan } from '../lambdas/plan/plan-schema';
import { createAwsClients, resetDefaultAwsClients } from '../lambdas/runtime/aws-clients';
import { useLocalAws } from '../local/aws-environment';
import { deployLocalStack, type LocalStack } from '../local/local-stack';
import type { TaskInvocation } from '../local/local-workflow-runner';
import { type MotoServer, startMotoServer } from '../local/moto-server';
import { REPO_ROOT, venvPython } from '../local/repo-root';
import { stateMachines } from '../local/synthesized-app';
import { fitPowerLaw } from './fit-exponent';
import { floorFailback } from './floor-failback';
import { floorFailover } from './floor-failover';
import { floorProtect } from './floor-protect';
import { startHealthServer } from './health-server';
import { type CallTime, type Measurement, measure } from './measure-run';
import { renderChart } from './render-chart';
import {
  evaluateTargets,
  type FloorRun,
  formatTable,
  formatTargets,
  type PendulumRun,
  type RunRecord,
  type StateCost,
  timeFits,
  WORKFLOWS,
  type Workflow,
} from './report';
import { createSyntheticEstate, type SyntheticEstate, syntheticPlan } from './synthetic-estate';

const DEFAULT_SIZES = [10, 100, 1000];
const WARMUP_SIZE = 2;
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

interface Args {
  readonly sizes: number[];
  readonly warmup: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let sizes = DEFAULT_SIZES;
  let warmup = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--sizes' || arg.startsWith('--sizes=')) {
      const value = arg.includes('=') ? arg.slice('--sizes='.length) : argv[++i];
      sizes = (value ?? '').split(',').map((s) => Number(s.trim()));
      if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 2))
        throw new Error(
          `--sizes expects whole numbers ≥ 2 separated by commas, got ${JSON.stringify(value)}`,
        );
    } else if (arg === '--no-warmup') warmup = false;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run bench [-- --sizes 10,100,1000] [--no-warmup]');
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}; try --help`);
  }
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), warmup };
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (message: string) => console.log(`[${elapsed()}] ${message}`);

/**
 * Each call to the Task invocation that was running when it started (the workflows run one task
 * at a time); calls made between tasks are left out.
 */
function costByState(
  invocations: readonly TaskInvocation[],
  calls: readonly CallTime[],
): Record<string, StateCost> {
  const states: Record<string, { invocations: number; totalMs: number; calls: Record<string, number> }> = {};
  const windows = [...invocations].sort((a, b) => a.startedAt - b.startedAt);
  for (const task of windows) {
    const s = states[task.stateName] ?? { invocations: 0, totalMs: 0, calls: {} };
    states[task.stateName] = s;
    s.invocations++;
    s.totalMs += task.durationMs;
  }
  for (const call of calls) {
    // The last task started by then (they run one at a time), if it had not ended (1 ms of slack).
    const task = windows.findLast((t) => t.startedAt <= call.at);
    if (!task || call.at > task.startedAt + task.durationMs + 1) continue;
    const s = states[task.stateName] as { calls: Record<string, number> };
    s.calls[call.operation] = (s.calls[call.operation] ?? 0) + 1;
  }
  return states;
}

async function runPendulum(stack: LocalStack, workflow: Workflow): Promise<PendulumRun> {
  const { value, measurement, callTimes } = await measure(async () => {
    try {
      return await stack.run(workflow, {}, { shortenWaitsTo: 0 });
    } catch (error) {
      return { harnessError: (error as Error).message };
    }
  });
  if ('harnessError' in value)
    return {
      status: 'ERROR',
      error: 'HarnessError',
      cause: value.harnessError,
      measurement,
      events: 0,
      taskInvocations: 0,
      largestPayloadBytes: 0,
    };
  return {
    status: value.status,
    ...(value.error ? { error: value.error } : {}),
    ...(value.cause ? { cause: value.cause.slice(0, 2000) } : {}),
    measurement,
    events: value.events.length,
    taskInvocations: value.taskInvocations.length,
    largestPayloadBytes: value.largestPayloadBytes,
    states: costByState(value.taskInvocations, callTimes),
  };
}

async function runFloor(fn: () => Promise<unknown>): Promise<FloorRun> {
  let failure: string | undefined;
  const { measurement } = await measure(async () => {
    try {
      await fn();
    } catch (error) {
      failure = (error as Error).stack ?? String(error);
    }
  });
  return failure ? { error: failure, measurement } : { measurement };
}

function describe(m: Measurement): string {
  const retries = Object.values(m.retries).reduce((a, b) => a + b, 0);
  return `${(m.wallMs / 1000).toFixed(1)} s, ${m.totalCalls} calls${retries ? ` (+${retries} SDK retries)` : ''}, AWS busy ${Math.round((100 * m.awsBusyMs) / Math.max(1, m.wallMs))} %`;
}

interface SizeResult {
  readonly n: number;
  readonly runs: RunRecord[];
  readonly seedSeconds: number[];
  readonly deploySeconds: number;
}

async function benchSize(moto: MotoServer, n: number, healthUrl: string, quiet = false): Promise<SizeResult> {
  const say = quiet ? () => {} : log;
  const seedSeconds: number[] = [];
  const seed = async (): Promise<{ estate: SyntheticEstate; plan: Plan }> => {
    await moto.reset();
    resetDefaultAwsClients();
    const t = performance.now();
    const estate = await createSyntheticEstate(createAwsClients(), n);
    seedSeconds.push((performance.now() - t) / 1000);
    return { estate, plan: syntheticPlan(estate, { healthUrl }) };
  };

  // Pendulum.
  const { estate, plan } = await seed();
  say(
    `N=${n}: seeded ${estate.shape.instances} instances, ${estate.shape.databases} databases, ${2 * n} records in ${seedSeconds[0]?.toFixed(1)} s`,
  );
  const t = performance.now();
  const stack = await deployLocalStack(plan);
  const deploySeconds = (performance.now() - t) / 1000;
  const hasFailback = stateMachines(stack.template).some((sm) => sm.name === `pendulum-${plan.app}-failback`);
  say(
    `N=${n}: synthesized and deployed the stack locally in ${deploySeconds.toFixed(1)} s${hasFailback ? '' : ' (no failback state machine)'}`,
  );
  const resources = estate.shape.instances + estate.shape.databases;
  const dnsChangesPerZone = [estate.shape.managedRecords];
  const pendulum = new Map<Workflow, PendulumRun>();
  const skipped = new Map<Workflow, string>();
  for (const workflow of WORKFLOWS) {
    if (workflow === 'failback' && !hasFailback) {
      skipped.set(workflow, 'no failback state machine');
      continue;
    }
    const previous = pendulum.get(workflow === 'failback' ? 'failover' : 'protect');
    if (workflow !== 'protect' && previous?.status !== 'SUCCEEDED') {
      skipped.set(workflow, `skipped: ${workflow === 'failback' ? 'failover' : 'protect'} did not succeed`);
      continue;
    }
    const run = await runPendulum(stack, workflow);
    pendulum.set(workflow, run);
    say(
      `N=${n}: Pendulum ${workflow} ${run.status}${run.error ? ` ${run.error}` : ''}: ${describe(run.measurement)}, ${run.events} events`,
    );
    if (run.status !== 'SUCCEEDED' && run.cause) say(`       ${run.cause.split('\n')[0]?.slice(0, 300)}`);
  }

  // The floor, against a fresh copy of the same estate.
  const floors = new Map<Workflow, FloorRun>();
  const again = await seed();
  const floorSteps: [Workflow, () => Promise<unknown>][] = [
    ['protect', () => floorProtect(createAwsClients(), again.estate)],
    ['failover', () => floorFailover(createAwsClients(), again.estate, again.plan)],
    ['failback', () => floorFailback(createAwsClients(), again.estate, again.plan)],
  ];
  for (const [workflow, fn] of floorSteps) {
    if (workflow === 'failback' && !pendulum.has('failback')) continue;
    if (
      workflow !== 'protect' &&
      (floors.get(workflow === 'failback' ? 'failover' : 'protect')?.error ?? false)
    ) {
      floors.set(workflow, { error: 'skipped: the floor before it failed' });
      continue;
    }
    const run = await runFloor(fn);
    floors.set(workflow, run);
    say(
      `N=${n}: floor ${workflow}${run.error ? ` FAILED (${run.error.split('\n')[0]})` : ''}: ${run.measurement ? describe(run.measurement) : ''}`,
    );
  }

  const runs: RunRecord[] = WORKFLOWS.map((workflow) => {
    const p = pendulum.get(workflow);
    const f = floors.get(workflow);
    const floor = f && !f.error ? f : f ? { error: f.error } : undefined;
    return {
      n,
      workflow,
      resources,
      ...(workflow === 'protect' ? {} : { dnsChangesPerZone }),
      ...(p ? { pendulum: p } : {}),
      ...(floor ? { floor } : {}),
      ...(skipped.has(workflow) ? { skipped: skipped.get(workflow) } : {}),
    };
  });
  return { n, runs, seedSeconds, deploySeconds };
}

function motoVersion(): string {
  try {
    return execFileSync(venvPython(REPO_ROOT), ['-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

const COLORS: Record<Workflow, string> = { protect: '#2e7d32', failover: '#1565c0', failback: '#6a1b9a' };

function chart(runs: readonly RunRecord[]): string {
  const series = (
    workflow: Workflow,
    which: 'pendulum' | 'floor',
    value: (r: RunRecord) => number | undefined,
  ) => ({
    label: `${workflow}${which === 'floor' ? ' (floor)' : ''}`,
    color: COLORS[workflow],
    dashed: which === 'floor',
    points: runs
      .filter((r) => r.workflow === workflow && r.pendulum?.status === 'SUCCEEDED')
      .flatMap((r) => {
        const v = value(r);
        return v === undefined ? [] : [{ n: r.n, value: v }];
      }),
  });
  const time = WORKFLOWS.flatMap((w) => [
    series(w, 'pendulum', (r) => (r.pendulum ? r.pendulum.measurement.wallMs / 1000 : undefined)),
    series(w, 'floor', (r) => (r.floor?.measurement ? r.floor.measurement.wallMs / 1000 : undefined)),
  ]).filter((s) => s.points.length > 0);
  const events = WORKFLOWS.map((w) => series(w, 'pendulum', (r) => r.pendulum?.events)).filter(
    (s) => s.points.length > 0,
  );
  return renderChart({
    title: 'Pendulum against the floor as the estate grows (local AWS: moto)',
    time,
    events,
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadAtStart = os.loadavg()[0];
  log(`sizes ${args.sizes.join(', ')}; ${os.cpus().length} CPU(s), Node ${process.version}`);
  const moto = await startMotoServer();
  const restoreEnv = useLocalAws(moto.endpoint, 'us-west-2');
  const health = await startHealthServer();
  const sizes: SizeResult[] = [];
  let warmupSeconds = 0;
  try {
    resetDefaultAwsClients();
    log(`moto ${motoVersion()} on ${moto.endpoint}; health check on ${health.url}`);
    if (args.warmup) {
      // Imports every handler and SDK command once, so the first measured size does not pay for it.
      const t = performance.now();
      await benchSize(moto, WARMUP_SIZE, health.url, true);
      warmupSeconds = (performance.now() - t) / 1000;
      log(`warm-up at N=${WARMUP_SIZE} done in ${warmupSeconds.toFixed(1)} s (not reported)`);
    }
    for (const n of args.sizes) sizes.push(await benchSize(moto, n, health.url));
  } finally {
    await health.close();
    restoreEnv();
    resetDefaultAwsClients();
    await moto.stop();
  }

  const runs = sizes.flatMap((s) => s.runs);
  const targets = evaluateTargets(runs);
  const totalSeconds = (performance.now() - started) / 1000;
  const fits = Object.fromEntries(WORKFLOWS.map((w) => [w, timeFits(runs, w)]));
  const eventFits = Object.fromEntries(
    WORKFLOWS.map((w) => [
      w,
      fitPowerLaw(
        runs
          .filter((r) => r.workflow === w && r.pendulum?.status === 'SUCCEEDED')
          .map((r) => ({ n: r.n, value: r.pendulum?.events ?? 0 })),
      ) ?? null,
    ]),
  );

  mkdirSync(RESULTS_DIR, { recursive: true });
  const results = {
    startedAt: new Date(Date.now() - totalSeconds * 1000).toISOString(),
    totalSeconds: Math.round(totalSeconds),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      moto: motoVersion(),
      // Other work on the machine slows moto and the runs alike: 1-minute load average at start and end.
      loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
    },
    sizes: sizes.map((s) => ({ n: s.n, seedSeconds: s.seedSeconds, deploySeconds: s.deploySeconds })),
    warmupSeconds,
    runs,
    fits,
    eventFits,
    targets,
  };
  writeFileSync(join(RESULTS_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'chart.svg'), chart(runs));

  console.log('');
  console.log(formatTable(runs));
  console.log('');
  console.log('Targets:');
  console.log(formatTargets(targets));
  const largest = Math.max(...args.sizes);
  console.log('');
  console.log(`Where the time goes at N=${largest} (operations by summed round-trip time):`);
  for (const r of runs.filter((x) => x.n === largest)) {
    for (const [who, m] of [
      ['Pendulum', r.pendulum?.measurement],
      ['floor', r.floor?.measurement],
    ] as const) {
      if (!m) continue;
      const top = Object.entries(m.latency)
        .sort(([, a], [, b]) => b.totalMs - a.totalMs)
        .slice(0, 4)
        .map(([op, l]) => `${op} ${l.calls}× ${(l.totalMs / 1000).toFixed(1)} s`)
        .join(', ');
      console.log(
        `  ${r.workflow} ${who}: AWS busy ${((100 * m.awsBusyMs) / Math.max(1, m.wallMs)).toFixed(0)} % of ${(m.wallMs / 1000).toFixed(1)} s; ${top}`,
      );
    }
    const states = Object.entries(r.pendulum?.states ?? {})
      .sort(([, a], [, b]) => b.totalMs - a.totalMs)
      .slice(0, 3);
    for (const [state, cost] of states) {
      const ops = Object.entries(cost.calls)
        .sort(([, a], [, b]) => b - a)
        .slice(0, 4)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      console.log(`    ${state}: ${cost.invocations}× ${(cost.totalMs / 1000).toFixed(1)} s; ${ops}`);
    }
  }
  console.log('');
  console.log(
    `Wrote bench/results/results.json and bench/results/chart.svg; total ${totalSeconds.toFixed(0)} s.`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
