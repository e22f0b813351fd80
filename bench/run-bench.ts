/**
 * `npm run bench [-- --sizes 10,100,1000] [--no-warmup] [--aws instant|realistic]`
 *
 * What a protect, a failover and a failback cost as the estate grows, against the floor: for each
 * size N it seeds a synthetic estate into a local AWS (its own moto), runs Pendulum's synthesized
 * workflows in-process, then resets, seeds the same estate again and runs the floor (only the
 * unavoidable API calls) the same way. Prints a table and the targets; writes
 * bench/results/results.json and bench/results/chart.svg.
 *
 * With `--aws realistic` the workflows run on the realistic local AWS instead (seeded, no faults,
 * throttling on, on the virtual clock) and each run's modeled time is reported next to its modeled
 * floor (bench/modeled-floor.ts); the measured floor is not run (its wall time on moto says
 * nothing about AWS's).
 */
import './quiet-env';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { formatModeled, modeledMs, modeledRto } from '../cli/rehearsal/modeled-time';
import type { Plan } from '../lambdas/plan/plan-schema';
import { createAwsClients, resetDefaultAwsClients } from '../lambdas/runtime/aws-clients';
import { useLocalAws } from '../local/aws-environment';
import { deployLocalStack, type LocalStack } from '../local/local-stack';
import type { TaskInvocation, WorkflowRunResult } from '../local/local-workflow-runner';
import { type MotoServer, startMotoServer } from '../local/moto-server';
import { type LocalAwsMode, useInstantAws, useRealisticAws } from '../local/realistic-aws/realistic-aws';
import { REPO_ROOT, venvPython } from '../local/repo-root';
import { stateMachines } from '../local/synthesized-app';
import { parseBenchArgs, USAGE, UsageError } from './bench-args';
import { estateSizes } from './estate-sizes';
import { fitPowerLaw } from './fit-exponent';
import { floorFailback } from './floor-failback';
import { floorFailover } from './floor-failover';
import { floorProtect } from './floor-protect';
import { startHealthServer } from './health-server';
import { type CallTime, type Measurement, measure } from './measure-run';
import { floorEstate, modeledFloor } from './modeled-run';
import { renderChart } from './render-chart';
import {
  evaluateTargets,
  expectedBatches,
  type FloorRun,
  formatModeledFloors,
  formatTable,
  formatTargets,
  type ModeledRun,
  type PendulumRun,
  type RunRecord,
  type StateCost,
  timeFits,
  WORKFLOWS,
  type Workflow,
} from './report';
import { createSyntheticEstate, type SyntheticEstate, syntheticPlan } from './synthetic-estate';

const WARMUP_SIZE = 2;
const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

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

interface PendulumOutcome {
  readonly run: PendulumRun;
  /** The run's events, when it ran (for its modeled time). */
  readonly result?: WorkflowRunResult;
}

async function runPendulum(
  stack: LocalStack,
  workflow: Workflow,
  aws: LocalAwsMode,
): Promise<PendulumOutcome> {
  const { value, measurement, callTimes } = await measure(async () => {
    try {
      // Realistic runs wait as AWS would, in virtual time; instant ones skip every wait.
      return await stack.run(workflow, {}, aws === 'realistic' ? { aws } : { shortenWaitsTo: 0 });
    } catch (error) {
      return { harnessError: (error as Error).message };
    }
  });
  if ('harnessError' in value)
    return {
      run: {
        status: 'ERROR',
        error: 'HarnessError',
        cause: value.harnessError,
        measurement,
        events: 0,
        taskInvocations: 0,
        largestPayloadBytes: 0,
      },
    };
  const run: PendulumRun = {
    status: value.status,
    ...(value.error ? { error: value.error } : {}),
    ...(value.cause ? { cause: value.cause.slice(0, 2000) } : {}),
    measurement,
    events: value.events.length,
    taskInvocations: value.taskInvocations.length,
    largestPayloadBytes: value.largestPayloadBytes,
    states: costByState(value.taskInvocations, callTimes),
  };
  return { run, result: value };
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

const need = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error('the floor estate was not seeded');
  return value;
};

/** A realistic run's modeled time (of what ran), its floor, and for a failover the modeled RTO. */
function modeledRun(
  floor: ModeledRun['floor'],
  result: WorkflowRunResult | undefined,
  failoverPlan?: Plan,
): ModeledRun {
  if (!result || result.events.length === 0) return { floor };
  return {
    ms: modeledMs(result.events),
    floor,
    ...(failoverPlan
      ? {
          rto: modeledRto(
            result.events,
            failoverPlan.tiers.map((t) => t.name),
          ),
        }
      : {}),
  };
}

interface SizeResult {
  readonly n: number;
  readonly runs: RunRecord[];
  readonly seedSeconds: number[];
  readonly deploySeconds: number;
}

async function benchSize(
  moto: MotoServer,
  n: number,
  healthUrl: string,
  aws: LocalAwsMode,
  quiet = false,
): Promise<SizeResult> {
  const realistic = aws === 'realistic';
  const say = quiet ? () => {} : log;
  const seedSeconds: number[] = [];
  const seed = async (): Promise<{ estate: SyntheticEstate; plan: Plan }> => {
    // Seeding is the operator's setup, not AWS's to slow down: it goes in at once.
    if (realistic) useInstantAws();
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
  const floorFor = realistic
    ? await (async () => {
        const modeledEstate = floorEstate(
          plan,
          estate.shape.roles,
          await estateSizes(createAwsClients(), estate),
          expectedBatches(dnsChangesPerZone),
        );
        return (workflow: Workflow) => modeledFloor(workflow, modeledEstate, plan);
      })()
    : undefined;
  const modeled = new Map<Workflow, ModeledRun>();
  // Every size starts from a fresh realistic AWS: full token buckets, the same dice.
  if (realistic) useRealisticAws({ seed: 1, faultRate: 0, throttling: true });
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
    const { run, result } = await runPendulum(stack, workflow, aws);
    pendulum.set(workflow, run);
    const m = floorFor && modeledRun(floorFor(workflow), result, workflow === 'failover' ? plan : undefined);
    if (m) modeled.set(workflow, m);
    say(
      `N=${n}: Pendulum ${workflow} ${run.status}${run.error ? ` ${run.error}` : ''}: ${describe(run.measurement)}, ${run.events} events${m ? `; modeled ${m.ms !== undefined ? formatModeled(m.ms) : 'n/a'} (floor ${formatModeled(m.floor.ms)})` : ''}`,
    );
    if (run.status !== 'SUCCEEDED' && run.cause) say(`       ${run.cause.split('\n')[0]?.slice(0, 300)}`);
  }

  if (realistic) useInstantAws();

  // The floor, against a fresh copy of the same estate (realistic runs have the modeled floor instead).
  const floors = new Map<Workflow, FloorRun>();
  const again = realistic ? undefined : await seed();
  const floorSteps: [Workflow, () => Promise<unknown>][] = [
    ['protect', () => floorProtect(createAwsClients(), need(again).estate)],
    ['failover', () => floorFailover(createAwsClients(), need(again).estate, need(again).plan)],
    ['failback', () => floorFailback(createAwsClients(), need(again).estate, need(again).plan)],
  ];
  for (const [workflow, fn] of again ? floorSteps : []) {
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
      ...(workflow === 'protect'
        ? {}
        : {
            // Failback moves the data records (one per database) at the data cutover, the rest after.
            dnsChangesPerZone:
              workflow === 'failback'
                ? [estate.shape.databases, estate.shape.managedRecords - estate.shape.databases].filter(
                    (c) => c > 0,
                  )
                : dnsChangesPerZone,
          }),
      ...(p ? { pendulum: p } : {}),
      ...(floor ? { floor } : {}),
      ...(skipped.has(workflow) ? { skipped: skipped.get(workflow) } : {}),
      ...(floorFor ? { modeled: modeled.get(workflow) ?? { floor: floorFor(workflow) } } : {}),
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
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const realistic = args.aws === 'realistic';
  const loadAtStart = os.loadavg()[0];
  log(
    `sizes ${args.sizes.join(', ')}; ${os.cpus().length} CPU(s), Node ${process.version}${realistic ? '; realistic local AWS (seed 1, no faults, throttling on)' : ''}`,
  );
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
      await benchSize(moto, WARMUP_SIZE, health.url, args.aws, true);
      warmupSeconds = (performance.now() - t) / 1000;
      log(`warm-up at N=${WARMUP_SIZE} done in ${warmupSeconds.toFixed(1)} s (not reported)`);
    }
    for (const n of args.sizes) sizes.push(await benchSize(moto, n, health.url, args.aws));
  } finally {
    if (realistic) useInstantAws();
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
    ...(realistic ? { aws: 'realistic' as const } : {}),
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
  if (realistic) {
    console.log('');
    console.log('Modeled time on AWS (virtual clock) against the modeled floor:');
    console.log(formatModeledFloors(runs));
  }
  console.log('');
  console.log('Targets:');
  console.log(formatTargets(targets));
  const largest = Math.max(...args.sizes);
  console.log('');
  console.log(
    `Where the time goes at N=${largest} (operations by summed round-trip time${realistic ? " on this machine; Task states' time is modeled" : ''}):`,
  );
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
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
