/**
 * The rehearsal's reports: for the failover and the failback, the run report (Markdown and a
 * self-contained HTML page with the timeline) built from what the run recorded in the artifact
 * bucket and from its execution events; and `rehearsal.md`, the checks and timings of the whole story.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import { readDnsShift } from '../../lambdas/failback/dns-shift-state';
import type { HomeInventory } from '../../lambdas/failback/home-inventory';
import type { Reconciliation } from '../../lambdas/failback/reconciliation';
import { RETIRE_ARTIFACTS, type RetirementDocument } from '../../lambdas/failback/retire-resources';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { renderHtml } from '../../lambdas/reports/render-html';
import { renderMarkdown } from '../../lambdas/reports/render-markdown';
import {
  type DnsCutoverDocument,
  type OutcomeDocument,
  reportFromOutcome,
} from '../../lambdas/reports/report-from-outcome';
import type { GateRecord, RunReport } from '../../lambdas/reports/run-report-model';
import { type LocalExecutionEvent, timelineFromEvents } from '../../lambdas/reports/timeline-from-events';
import type { StateTable } from '../../lambdas/state/state-table';
import type { WorkflowRunResult } from '../../local/local-workflow-runner';
import { formatSeconds } from '../progress';
import { causeMessage } from '../step-events';
import type { Check } from './rehearsal-checks';
import type { RehearsalResult } from './rehearsal-types';

export interface FinishedRun {
  readonly runId: string;
  readonly result: WorkflowRunResult;
}

function timeline(plan: Plan, run: FinishedRun) {
  return timelineFromEvents(run.result.events as unknown as LocalExecutionEvent[], {
    tierNames: plan.tiers.map((t) => t.name),
  });
}

function eventTime(run: FinishedRun, which: 'first' | 'last'): string {
  const events = run.result.events as unknown as { timestamp?: number }[];
  const event = which === 'first' ? events[0] : events.at(-1);
  return new Date(event?.timestamp ?? Date.now()).toISOString();
}

async function outcomeOf(
  artifacts: ArtifactStore,
  state: StateTable,
  plan: Plan,
  runId: string,
): Promise<OutcomeDocument | undefined> {
  const record = await state.getRun(plan.app, runId);
  return typeof record?.outcomeKey === 'string'
    ? artifacts.getJsonIfExists<OutcomeDocument>(record.outcomeKey)
    : undefined;
}

/** A run that recorded no outcome (it stopped before it could): its events and error still tell. */
function bareReport(plan: Plan, workflow: 'failover' | 'failback', run: FinishedRun): RunReport {
  const toPrimary = workflow === 'failback';
  return {
    workflow,
    app: plan.app,
    runId: run.runId,
    status: run.result.status,
    startedAt: eventTime(run, 'first'),
    completedAt: eventTime(run, 'last'),
    fromRegion: toPrimary ? plan.recoveryRegion : plan.primaryRegion,
    toRegion: toPrimary ? plan.primaryRegion : plan.recoveryRegion,
    timeline: timeline(plan, run),
    targets: [],
    resources: [],
    dns: [],
    gates: [],
    hooks: [],
    errors: run.result.error
      ? [{ error: run.result.error, cause: causeMessage(run.result.cause, run.result.error) ?? '' }]
      : [],
  };
}

export async function failoverReport(
  artifacts: ArtifactStore,
  state: StateTable,
  plan: Plan,
  run: FinishedRun,
): Promise<RunReport> {
  const outcome = await outcomeOf(artifacts, state, plan, run.runId);
  if (!outcome) return bareReport(plan, 'failover', run);
  const cutoverKey = outcome.keys?.dnsCutover;
  const dnsCutover =
    typeof cutoverKey === 'string'
      ? await artifacts.getJsonIfExists<DnsCutoverDocument>(cutoverKey)
      : undefined;
  return reportFromOutcome(outcome, {
    primaryRegion: plan.primaryRegion,
    recoveryRegion: plan.recoveryRegion,
    ...(dnsCutover ? { dnsCutover } : {}),
    timeline: timeline(plan, run),
  });
}

/** The failback's own outcome document (lambdas/handlers/record-failback.ts), as far as it is read here. */
interface FailbackOutcome extends OutcomeDocument {
  from?: string;
  durationSeconds?: number;
  home?: {
    kind?: string;
    role?: string;
    tier?: string;
    source?: string;
    recoveryId?: string;
    homeId?: string;
    created?: boolean;
  }[];
  setAside?: { kind?: string; id?: string; role?: string; tier?: string }[];
}

/**
 * The failback as a RunReport: its outcome mapped onto the fields the renderers know (what came
 * home, what was set aside and retired with which final copy), the reconciliation, the DNS shift,
 * and each staged step's health gate.
 */
export async function failbackReport(
  artifacts: ArtifactStore,
  state: StateTable,
  plan: Plan,
  run: FinishedRun,
  gates: GateRecord[],
): Promise<RunReport> {
  const outcome = (await outcomeOf(artifacts, state, plan, run.runId)) as FailbackOutcome | undefined;
  if (!outcome) return { ...bareReport(plan, 'failback', run), gates };
  const key = (name: string) => runArtifactKey(plan.app, run.runId, name);
  const [reconciliation, inventory, shift, retiredStale, retiredRecovery] = await Promise.all([
    artifacts.getJsonIfExists<Reconciliation>(key('reconciliation')),
    artifacts.getJsonIfExists<HomeInventory>(key('home-inventory')),
    typeof outcome.failbackId === 'string'
      ? readDnsShift(artifacts, plan.app, outcome.failbackId)
      : Promise.resolve(undefined),
    artifacts.getJsonIfExists<RetirementDocument>(key(RETIRE_ARTIFACTS.stale)),
    artifacts.getJsonIfExists<RetirementDocument>(key(RETIRE_ARTIFACTS.recovery)),
  ]);
  const home = inventory?.resources ?? [];
  const retired = [...(retiredStale?.retired ?? []), ...(retiredRecovery?.retired ?? [])];
  const document: OutcomeDocument = {
    ...outcome,
    fromRegion: outcome.from ?? plan.recoveryRegion,
    toRegion: outcome.activeRegion ?? plan.primaryRegion,
    ...(typeof outcome.durationSeconds === 'number'
      ? { metrics: { rtoSeconds: outcome.durationSeconds } }
      : {}),
    inventory: [
      ...home.map((h) => ({
        kind: h.kind,
        tier: h.tier,
        role: h.role,
        source: h.recoveryId,
        recovered: h.homeId ?? '',
        created: h.created,
      })),
      ...retired.map((r) => ({
        kind: r.kind,
        tier: r.tier,
        role: r.role,
        source: r.resourceId,
        recovered: r.outcome === 'retired' ? (r.kind === 'ec2' ? 'terminated' : 'deleted') : r.outcome,
        action: 'retired',
        ...(r.finalSnapshot ? { finalSnapshot: r.finalSnapshot } : {}),
      })),
    ],
  };
  const dnsCutover: DnsCutoverDocument = {
    zones: (shift?.zones ?? []).map((zone) => ({
      name: zone.name,
      written: zone.records.map((r) => r.desired),
      before: zone.records.map((r) => r.original ?? null),
    })),
  };
  const report = reportFromOutcome(document, {
    primaryRegion: plan.primaryRegion,
    recoveryRegion: plan.recoveryRegion,
    dnsCutover,
    timeline: timeline(plan, run),
  });
  const values = (r: ResourceRecordSet | undefined) =>
    (r?.ResourceRecords ?? []).flatMap((v) => (v.Value === undefined ? [] : [v.Value]));
  return {
    ...report,
    gates,
    ...(reconciliation
      ? {
          reconciliation: {
            decisions: reconciliation.dns.flatMap((z) =>
              z.decisions.map((d) => ({ key: d.key, action: d.action, reason: d.reason })),
            ),
            conflicts: reconciliation.dns.flatMap((z) =>
              z.conflicts.map((c) => ({
                key: c.key,
                kind: c.kind,
                now: values(c.now),
                desired: values(c.desired),
                resolution: c.resolution,
              })),
            ),
            preserved: reconciliation.dns.flatMap((z) =>
              z.preserved.map((p) => ({ key: p.key, reason: p.reason })),
            ),
          },
        }
      : {}),
  };
}

export function writeRunReport(dir: string, basename: string, report: RunReport) {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, `${basename}.md`);
  const html = join(dir, `${basename}.html`);
  writeFileSync(markdown, renderMarkdown(report));
  writeFileSync(html, renderHtml(report));
  return { markdown, html };
}

// ---- rehearsal.md ---------------------------------------------------------------------------

const CHECK_TITLES = {
  estate: 'The sample estate and its registration',
  protect: 'After protect',
  failover: 'After failover',
  failback: 'After failback',
} as const;

const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function checkLines(checks: readonly Check[]): string[] {
  return checks.map((c) => `- ${c.ok ? '✓' : '✗'} ${cell(c.name)}${c.detail ? ` — ${cell(c.detail)}` : ''}`);
}

/** `rehearsal.md`: what was rehearsed, how long each part took, and every check. */
export function rehearsalMarkdown(
  result: RehearsalResult,
  links: { failover?: string; failback?: string },
): string {
  const passed = result.checks.filter((c) => c.ok).length;
  const lines = [
    `# Rehearsal: ${result.app}, ${result.primaryRegion} → ${result.recoveryRegion} → ${result.primaryRegion}`,
    '',
    `**${result.ok ? 'PASSED' : 'FAILED'}**: ${passed} of ${result.checks.length} checks passed, in ${formatSeconds(result.totalMs)} (started ${result.startedAt}).`,
    '',
    `- Plan: \`${result.planFile}\``,
    `- Local AWS: moto; health endpoint \`${result.healthUrl}\`${result.healthPortMoved ? ' (the plan’s port was taken; the plan was adjusted in memory)' : ''}`,
  ];
  if (result.error) lines.push(`- Stopped: ${cell(result.error)}`);
  lines.push('', '## Phases', '', '| phase | status | wall time |', '|---|---|---:|');
  for (const p of result.phases) lines.push(`| ${cell(p.title)} | ${p.status} | ${formatSeconds(p.ms)} |`);
  lines.push(
    '',
    '## Workflow runs',
    '',
    '| workflow | run | status | states | wall time |',
    '|---|---|---|---:|---:|',
  );
  for (const r of result.runs) {
    const status = r.error ? `${r.status} (${r.error})` : r.status;
    lines.push(
      `| ${r.workflow}${r.dryRun ? ' (dry run)' : ''} | \`${r.runId}\` | ${cell(status)} | ${r.states} | ${formatSeconds(r.ms)} |`,
    );
  }
  if (links.failover || links.failback) {
    lines.push('', 'Run reports:');
    if (links.failover)
      lines.push(`- Failover: [${links.failover}.md](${links.failover}.md), [HTML](${links.failover}.html)`);
    if (links.failback)
      lines.push(`- Failback: [${links.failback}.md](${links.failback}.md), [HTML](${links.failback}.html)`);
  }
  if (result.interimChanges.length > 0) {
    lines.push('', '## 45 days in the recovery region', '');
    for (const change of result.interimChanges) lines.push(`- ${cell(change)}`);
  }
  if (result.reconciliation) {
    const r = result.reconciliation;
    lines.push(
      '',
      '## Reconciliation (failback dry run)',
      '',
      `${r.preserved} interim DNS change(s) preserved, ${r.conflicts} conflict(s), ${r.dnsChanges} managed record(s) to move home; ${r.instancesHome} instance(s) and ${r.databasesHome} database(s) come home, ${r.setAside} stale resource(s) set aside.`,
    );
  }
  lines.push('', '## Checks', '');
  for (const phase of ['estate', 'protect', 'failover', 'failback'] as const) {
    const inPhase = result.checks.filter((c) => c.phase === phase);
    if (inPhase.length === 0) continue;
    lines.push(`### ${CHECK_TITLES[phase]}`, '', ...checkLines(inPhase), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
