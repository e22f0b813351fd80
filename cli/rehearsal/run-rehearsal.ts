/**
 * The rehearsal: the whole story of a disaster and the way back, played on this machine through
 * the synthesized workflows against a local AWS (moto), and verified in that AWS.
 *
 *   setup → register → protect → failover → 45 days of changes → reconcile (failback dry run)
 *         → staged failback → verify → reports
 *
 * Everything it starts (moto, the health endpoint) is stopped in a `finally`, whatever happens.
 */
import '../quiet-handlers';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSampleEstate, SAMPLE_CLUSTER, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import type { Reconciliation } from '../../lambdas/failback/reconciliation';
import type { ReconcileResult } from '../../lambdas/handlers/reconcile-failback';
import type { Plan } from '../../lambdas/plan/plan-schema';
import type { GateRecord } from '../../lambdas/reports/run-report-model';
import { createAwsClients, resetDefaultAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { useLocalAws } from '../../local/aws-environment';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import type { TaskOverride } from '../../local/local-workflow-runner';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { type LocalAwsMode, useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { virtualClock } from '../../local/virtual-clock';
import { renderChangeSet } from '../change-set';
import type { Output } from '../output';
import { causeMessage, StepTracker } from '../step-events';
import { executionName } from '../workflow-client';
import { plannedClusters } from './cluster-checks';
import { estateKeyAliases } from './encryption-checks';
import { type HealthServer, startHealthServer } from './health-server';
import { type AppliedInterimChanges, applyInterimChanges, interimChangeSpec } from './interim-changes';
import { formatModeled, type ModeledRto, modeledMs, modeledRto } from './modeled-time';
import { noLostWriteChecks, reverseProtectionChecks } from './no-lost-write-checks';
import {
  type BeforeFailback,
  type BeforeFailover,
  type Check,
  estateChecks,
  failbackChecks,
  failoverChecks,
  type ObservedStep,
  observeBeforeFailback,
  observeBeforeFailover,
  observeStep,
  plannedDatabases,
  protectChecks,
} from './rehearsal-checks';
import { RehearsalOutput, silentOutput } from './rehearsal-output';
import {
  loadRehearsalPlan,
  plannedHealthPort,
  SAMPLE_PLAN_FILE,
  unservedHealthChecks,
  withHealthPort,
} from './rehearsal-plan';
import {
  type FinishedRun,
  failbackReport,
  failoverReport,
  rehearsalMarkdown,
  writeRunReport,
} from './rehearsal-report';
import {
  PHASES,
  type PhaseName,
  type PhaseTiming,
  type ReconciliationSummary,
  type RehearsalReports,
  type RehearsalResult,
  type SkippablePhase,
  type WorkflowRunSummary,
} from './rehearsal-types';

export interface RehearsalOptions {
  /** The plan to rehearse. @default examples/pendulum.yaml */
  readonly planFile?: string;
  /** Where the reports go. @default `reports` under the current directory */
  readonly reportsDir?: string;
  /** Where progress goes; `out.json` silences it. @default nothing is printed */
  readonly out?: Output;
  /** Aborting stops the workflow that runs, then moto and the health endpoint. */
  readonly signal?: AbortSignal;
  /** Extra unmanaged records in the zone, so that listing it pages. @default 300 */
  readonly extraRecords?: number;
  /**
   * Phases to leave out. Only for tests: they prove that the checks fail when a step of the story
   * did not happen. Never offered on the command line.
   */
  readonly skip?: readonly SkippablePhase[];
  /**
   * Authorize every task's calls against its synthesized role (the default), or not.
   * @default 'enforce'
   */
  readonly iam?: 'enforce' | 'off';
  /**
   * `instant`: moto as it is, every wait shortened. `realistic`: AWS's durations, eventual
   * consistency, throttling and latency on a virtual clock; phases and the RTO are reported in
   * modeled time. @default 'instant'
   */
  readonly aws?: LocalAwsMode;
}

/** How long the story's app runs in the recovery region (the case study's 45 days). */
const INTERIM_DAYS = 45;

/** Ctrl-C (or the signal) stopped the rehearsal; everything it started has been stopped. */
export class RehearsalInterrupted extends Error {
  override readonly name = 'RehearsalInterrupted';
  constructor() {
    super('the rehearsal was interrupted');
  }
}

const TITLES = (plan: Plan): Record<PhaseName, string> => ({
  setup: 'Local AWS, health endpoint and the sample estate',
  register: `Register ${plan.app}`,
  protect: `Protect: recovery points in ${plan.recoveryRegion}`,
  failover: `Failover: ${plan.primaryRegion} → ${plan.recoveryRegion}`,
  interim: `45 days in ${plan.recoveryRegion} (simulated)`,
  reconcile: 'Reconcile: failback dry run',
  failback: `Staged failback: ${plan.recoveryRegion} → ${plan.primaryRegion} (${plan.failback.steps.join(' → ')} %)`,
  verify: 'Verify in AWS',
  reports: 'Reports',
});

class StoryStopped extends Error {}

export async function runRehearsal(options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const planFile = resolve(options.planFile ?? SAMPLE_PLAN_FILE);
  const reportsDir = resolve(options.reportsDir ?? 'reports');
  const skip = new Set(options.skip ?? []);
  const signal = options.signal;
  const filePlan = loadRehearsalPlan(planFile);
  const titles = TITLES(filePlan);
  // Realistic runs wait as long as the plan says, on the virtual clock: nothing to explain then.
  const shortenedWaits = {
    HoldStep: filePlan.failback.stepHold,
    Soak: filePlan.failback.soak,
    WaitForHome: '30s–5m poll',
    WaitForTier: '5–60s backoff',
  };
  const say = new RehearsalOutput(
    options.out ?? silentOutput(),
    options.aws === 'realistic' ? {} : shortenedWaits,
  );

  const phases: PhaseTiming[] = [];
  const runs: WorkflowRunSummary[] = [];
  const checks: Check[] = [];
  const finished: { failover?: FinishedRun; failback?: FinishedRun } = {};
  const observedSteps: ObservedStep[] = [];
  const gates: GateRecord[] = [];
  let plan = filePlan;
  let healthUrl = '';
  let healthPortMoved = false;
  let moto: MotoServer | undefined;
  let health: HealthServer | undefined;
  let restoreEnvironment: (() => void) | undefined;
  let stack: LocalStack | undefined;
  let estate: SampleEstate | undefined;
  let state: StateTable | undefined;
  let artifacts: ArtifactStore | undefined;
  let beforeFailover: BeforeFailover | undefined;
  let beforeFailback: BeforeFailback | undefined;
  let interim: AppliedInterimChanges | undefined;
  let reconciliation: ReconciliationSummary | undefined;
  let reports: RehearsalReports = { dir: reportsDir };
  let stopped: string | undefined;
  const clients = () => createAwsClients();
  const iamMode = options.iam ?? 'enforce';
  iamLedger.clear();
  const awsMode = options.aws ?? 'instant';
  if (awsMode === 'realistic') useRealisticAws({ seed: 1 });
  else useInstantAws();
  const realistic = awsMode === 'realistic';
  let modeledRtoOfFailover: ModeledRto | undefined;

  const interrupted = () => {
    if (signal?.aborted) throw new RehearsalInterrupted();
  };
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is missing: an earlier phase did not finish`);
    return value;
  };

  const phase = async (name: PhaseName, body: () => Promise<void>) => {
    const index = PHASES.indexOf(name) + 1;
    if (stopped && name !== 'reports') {
      say.skipped(index, PHASES.length, titles[name], 'the story stopped earlier');
      phases.push({ name, title: titles[name], status: 'skipped', ms: 0 });
      return;
    }
    if ((skip as Set<string>).has(name)) {
      say.skipped(index, PHASES.length, titles[name], 'left out on purpose');
      phases.push({ name, title: titles[name], status: 'skipped', ms: 0 });
      return;
    }
    interrupted();
    say.heading(index, PHASES.length, titles[name]);
    const t0 = Date.now();
    const runsBefore = runs.length;
    const modeled = () =>
      realistic
        ? { modeledMs: runs.slice(runsBefore).reduce((sum, run) => sum + (run.modeledMs ?? 0), 0) }
        : {};
    try {
      await body();
      phases.push({ name, title: titles[name], status: 'done', ms: Date.now() - t0, ...modeled() });
      say.phaseEnd(Date.now() - t0, 'done');
    } catch (error) {
      phases.push({ name, title: titles[name], status: 'failed', ms: Date.now() - t0, ...modeled() });
      say.phaseEnd(Date.now() - t0, 'failed');
      interrupted();
      if (error instanceof StoryStopped) {
        stopped ??= error.message;
        return;
      }
      stopped ??= `${titles[name]}: ${(error as Error).message}`;
      say.bad(stopped);
    }
  };

  /** Runs one of the stack's workflows, printing its steps; a run that does not succeed stops the story. */
  const runWorkflow = async (
    workflow: string,
    input: Record<string, unknown>,
    overrides: Record<string, TaskOverride> = {},
  ): Promise<FinishedRun> => {
    const runId = executionName(workflow, input);
    const dryRun = input.dryRun === true;
    say.note(`run ${runId}`);
    const tracker = new StepTracker(say.stepPrinter());
    const t0 = Date.now();
    const result = await need(stack, 'the local stack').run(workflow, input, {
      executionName: runId,
      iam: iamMode,
      onEvent: (event) => tracker.localEvent(event),
      taskOverrides: overrides,
      ...(signal ? { signal } : {}),
    });
    interrupted();
    const ms = Date.now() - t0;
    const modeled = realistic ? modeledMs(result.events) : undefined;
    const states = result.events.filter((e) => (e as { type?: string }).type === 'StateEntered').length;
    const message = result.status === 'SUCCEEDED' ? undefined : causeMessage(result.cause, result.error);
    runs.push({
      workflow,
      runId,
      dryRun,
      status: result.status,
      ms,
      states,
      ...(modeled !== undefined ? { modeledMs: modeled } : {}),
      ...(result.error ? { error: result.error } : {}),
      ...(message ? { message } : {}),
    });
    const label = `${workflow}${dryRun ? ' dry run' : ''}`;
    const phaseName: Check['phase'] =
      workflow === 'failback'
        ? 'failback'
        : workflow === 'failover'
          ? 'failover'
          : workflow === 'protect'
            ? 'protect'
            : 'estate';
    const ok = result.status === 'SUCCEEDED';
    checks.push({
      phase: phaseName,
      name: `The ${label} workflow ran to the end`,
      ok,
      detail: ok
        ? `${states} states, run ${runId}`
        : `${result.status}: ${result.error ?? ''} ${message ?? ''}`.trim(),
    });
    if (!ok) {
      say.bad(
        `${label} ${result.status} after ${(ms / 1000).toFixed(1)}s: ${result.error ?? ''} ${message ?? ''}`,
      );
      const run = { runId, result };
      if (workflow === 'failover' && !dryRun) finished.failover = run;
      if (workflow === 'failback' && !dryRun) finished.failback = run;
      throw new StoryStopped(`the ${label} workflow ${result.status}: ${result.error ?? ''}`.trim());
    }
    say.ok(
      `${label} succeeded in ${(ms / 1000).toFixed(1)}s (${states} states)${modeled !== undefined ? `; on AWS it would take ${formatModeled(modeled)}` : ''}`,
    );
    if (realistic && workflow === 'failover' && !dryRun) {
      modeledRtoOfFailover = modeledRto(
        result.events,
        plan.tiers.map((tier) => tier.name),
      );
      const tiers = modeledRtoOfFailover.tiers
        .map((t) => `${t.tier} ${t.ms !== undefined ? formatModeled(t.ms) : '?'}`)
        .join(', ');
      const overall = modeledRtoOfFailover.overallMs;
      say.ok(
        `modeled RTO ${overall !== undefined ? formatModeled(overall) : '?'} to DNS in sync (tiers: ${tiers})`,
      );
    }
    return { runId, result };
  };

  try {
    await phase('setup', async () => {
      let mark = Date.now();
      const took = () => {
        const ms = Date.now() - mark;
        mark = Date.now();
        return `(${(ms / 1000).toFixed(1)}s)`;
      };
      const wanted = plannedHealthPort(filePlan);
      for (const check of unservedHealthChecks(filePlan))
        say.note(`health check ${check} is not served by the rehearsal; it will fail`);
      if (wanted !== undefined) {
        health = await startHealthServer(wanted);
        plan = withHealthPort(filePlan, wanted, health.port);
        healthPortMoved = health.port !== wanted;
        healthUrl = plan.healthChecks.find((c) => c.url?.includes(`:${health?.port}`))?.url ?? '';
        say.note(
          healthPortMoved
            ? `health endpoint on 127.0.0.1:${health.port} (port ${wanted} is taken; the plan is adjusted in memory, the file is unchanged)`
            : `health endpoint on 127.0.0.1:${health.port}`,
        );
      }
      moto = await startMotoServer();
      restoreEnvironment = useLocalAws(moto.endpoint, plan.recoveryRegion);
      resetDefaultAwsClients();
      say.note(`local AWS (moto) at ${moto.endpoint}, pid ${moto.pid} ${took()}`);
      estate = await createSampleEstate(clients(), {
        primaryRegion: plan.primaryRegion,
        recoveryRegion: plan.recoveryRegion,
        ...(plan.dns.zones[0] ? { zoneName: plan.dns.zones[0].name } : {}),
        extraRecords: options.extraRecords ?? 300,
        kmsAliases: estateKeyAliases(plan),
        // The sample plan's Aurora cluster; a plan of your own without it gets an estate without it.
        auroraCluster: plannedClusters(plan).includes(SAMPLE_CLUSTER.identifier),
      });
      say.note(
        `sample estate: ${estate.instances.web.length} web + ${estate.instances.api.length} api instance(s), ${estate.databaseEndpoint.split('.')[0]}${estate.cluster ? ` and Aurora cluster ${estate.cluster.identifier}` : ''} in ${plan.primaryRegion}; zone ${estate.zoneName} ${took()}`,
      );
      stack = await deployLocalStack(plan);
      state = new StateTable(clients().dynamo(), stack.tableName);
      artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
      say.note(
        `stack ${stack.stackName} synthesized; its state table, bucket and topic created in ${stack.region} ${took()}`,
      );
      beforeFailover = await observeBeforeFailover(clients(), plan);
      const estateResults = estateChecks(plan, beforeFailover);
      checks.push(...estateResults);
      say.checksLine(estateResults);
    });

    await phase('register', async () => {
      await runWorkflow('register', { requestedBy: 'pendulum rehearsal' });
    });

    await phase('protect', async () => {
      await runWorkflow('protect', {});
      const results = await protectChecks(clients(), plan, need(beforeFailover, 'the estate'));
      checks.push(...results);
      say.checksLine(results);
    });

    await phase('failover', async () => {
      finished.failover = await runWorkflow('failover', {
        reason: `rehearsal: ${plan.primaryRegion} is down (simulated)`,
      });
      const results = await failoverChecks({
        clients: clients(),
        plan,
        state: need(state, 'the state table'),
        before: need(beforeFailover, 'the estate'),
        runId: finished.failover.runId,
      });
      checks.push(...results);
      say.checksLine(results);
    });

    await phase('interim', async () => {
      interim = await applyInterimChanges(clients(), plan, need(estate, 'the sample estate'));
      // The story's 45 days pass on the virtual clock too.
      if (realistic) virtualClock().advance(INTERIM_DAYS * 86_400_000);
      for (const change of interim.summary) say.note(change);
      // Protection follows the app: the scheduled protect of those days captures the recovery region.
      await runWorkflow('protect', {});
      const stale = need(beforeFailover, 'the estate');
      const results = await reverseProtectionChecks(clients(), plan, [
        ...Object.values(stale.primaryByRole)
          .flat()
          .map((i) => i.InstanceId ?? ''),
        ...plannedDatabases(plan),
      ]);
      checks.push(...results);
      say.checksLine(results);
    });

    await phase('reconcile', async () => {
      beforeFailback = await observeBeforeFailback(clients(), plan);
      // The reporting database someone made during the failover is not in the plan: without a
      // preference reconciliation stops on it; the operator keeps the current state (left in place).
      const dry = await runWorkflow('failback', {
        dryRun: true,
        strategy: 'staged',
        steps: plan.failback.steps,
        prefer: 'current',
      });
      const summary = dry.result.output as ReconcileResult;
      reconciliation = {
        preserved: summary.preserved,
        conflicts: summary.conflicts,
        dnsChanges: summary.dnsChanges,
        instancesHome: summary.instancesHome,
        databasesHome: summary.databasesHome,
        setAside: summary.setAside,
      };
      const document = await need(artifacts, 'the artifact bucket').getJson<Reconciliation>(summary.key);
      if (!say.out.json) {
        say.line();
        renderChangeSet('failback', document, say.out);
        say.line();
      }
      say.ok(
        `${summary.preserved} interim change(s) preserved, ${summary.conflicts} conflict(s); coming home: ${summary.instancesHome} instance(s), ${summary.databasesHome} database(s), ${summary.dnsChanges} managed record(s)`,
      );
    });

    await phase('failback', async () => {
      // The reporting database made during the failover stays where it is: prefer the current state.
      const input = { strategy: 'staged', steps: plan.failback.steps, prefer: 'current' };
      finished.failback = await runWorkflow('failback', input, {
        // The health gate of each staged step: see what Route 53 holds at that moment, then run it.
        CheckStepHealth: async (payload, call) => {
          const seen = await observeStep(clients(), plan);
          const result = (await call.invokeOriginal?.(payload)) as
            | { passed?: boolean; results?: { name?: string; detail?: string }[] }
            | undefined;
          observedSteps.push(seen);
          gates.push({
            name: `Staged step at ${seen.homeWeight ?? '?'} % home`,
            decision: result?.passed ? 'passed' : 'blocked',
            detail: `Route 53: ${seen.detail}; ${(result?.results ?? []).map((r) => `${r.name}: ${r.detail}`).join(', ') || 'no health checks'}`,
            at: new Date().toISOString(),
          });
          say.note(`    Route 53 at this gate: ${seen.detail}`);
          return result;
        },
      });
    });

    await phase('verify', async () => {
      const denied = iamLedger.denied();
      const iamResults: Check[] =
        iamMode === 'off'
          ? []
          : [
              {
                phase: 'failback',
                name: 'Every AWS call a task made was allowed by its synthesized role',
                ok: denied.length === 0 && iamLedger.records.length > 0,
                detail:
                  denied.length === 0
                    ? `${iamLedger.records.length} calls authorized`
                    : denied
                        .slice(0, 3)
                        .map((d) => `${d.handlerModule}: ${d.action} on ${d.resource}`)
                        .join('; '),
              },
            ];
      const results = await failbackChecks({
        clients: clients(),
        plan,
        state: need(state, 'the state table'),
        beforeFailover: need(beforeFailover, 'the estate'),
        beforeFailback: beforeFailback ?? (await observeBeforeFailback(clients(), plan)),
        spec: interimChangeSpec(estate?.zoneName ?? plan.dns.zones[0]?.name ?? ''),
        ...(interim ? { interim } : {}),
        observedSteps,
        ...(finished.failover ? { failoverRunId: finished.failover.runId } : {}),
        ...(finished.failback ? { failbackRunId: finished.failback.runId } : {}),
      });
      const noLostWrite = await noLostWriteChecks({
        clients: clients(),
        plan,
        artifacts: need(artifacts, 'the artifact bucket'),
        observedSteps,
        ...(finished.failback ? { failbackRunId: finished.failback.runId } : {}),
        ...(interim ? { interim } : {}),
      });
      results.push(...noLostWrite);
      checks.push(...results, ...iamResults);
      say.checksLine([...results, ...iamResults]);
      say.line();
      say.checkList(checks);
    });

    await phase('reports', async () => {
      if (!state || !artifacts) {
        say.note('no workflow ran: only the rehearsal summary is written');
        return;
      }
      const failover = finished.failover
        ? writeRunReport(
            reportsDir,
            'rehearsal-failover',
            await failoverReport(artifacts, state, plan, finished.failover),
          )
        : undefined;
      const failback = finished.failback
        ? writeRunReport(
            reportsDir,
            'rehearsal-failback',
            await failbackReport(artifacts, state, plan, finished.failback, gates),
          )
        : undefined;
      for (const written of [failover, failback])
        if (written) say.note(`${written.markdown}, ${written.html}`);
      reports = { dir: reportsDir, ...(failover ? { failover } : {}), ...(failback ? { failback } : {}) };
    });
  } finally {
    // Stop what was started, in reverse, each whatever happened to the others.
    await health?.stop().catch(() => undefined);
    restoreEnvironment?.();
    resetDefaultAwsClients();
    await moto?.stop().catch(() => undefined);
  }
  interrupted();

  const result = (): RehearsalResult => ({
    ok: !stopped && checks.length > 0 && checks.every((c) => c.ok),
    planFile,
    app: plan.app,
    primaryRegion: plan.primaryRegion,
    recoveryRegion: plan.recoveryRegion,
    localAwsEndpoint: moto?.endpoint ?? '',
    healthUrl,
    healthPortMoved,
    startedAt,
    totalMs: Date.now() - started,
    phases,
    runs,
    ...(reconciliation ? { reconciliation } : {}),
    interimChanges: interim?.summary ?? [],
    checks,
    reports,
    iam: {
      mode: iamMode,
      authorized: iamLedger.records.filter((r) => r.allowed).length,
      denied: iamLedger.denied().length,
      roles: new Set(iamLedger.records.map((r) => r.roleLogicalId)).size,
    },
    aws: awsMode,
    ...(modeledRtoOfFailover ? { modeledRto: modeledRtoOfFailover } : {}),
    ...(stopped ? { error: stopped } : {}),
  });
  // rehearsal.md last, with the total time as it stands once everything is stopped.
  if (phases.some((p) => p.name === 'reports' && p.status === 'done')) {
    mkdirSync(reportsDir, { recursive: true });
    const summary = join(reportsDir, 'rehearsal.md');
    const links = {
      ...(reports.failover ? { failover: 'rehearsal-failover' } : {}),
      ...(reports.failback ? { failback: 'rehearsal-failback' } : {}),
    };
    reports = { ...reports, summary };
    writeFileSync(summary, rehearsalMarkdown(result(), links));
  }
  const final = result();
  say.summary(final);
  return final;
}
