/**
 * The run report as GitHub-flavoured Markdown. Everything that comes from data is escaped: free text
 * with backslashes, identifiers and record values as code spans, causes as fenced blocks, so a value
 * cannot break a table or inject HTML.
 */
import {
  formatMs,
  formatSeconds,
  optionalSeconds,
  reportTitle,
  resourceKindLabel,
  rpoVerdict,
  rtoVerdict,
  runDurationSeconds,
  stepSpan,
  timelineOrigin,
  withoutControlCharacters,
} from './report-format';
import type { DnsZoneDiff, Reconciliation, RunReport, TierTarget } from './run-report-model';

export function renderMarkdown(report: RunReport): string {
  const sections = [
    header(report),
    warningsSection(report),
    targetsSection(report),
    timelineSection(report),
    dnsSection(report.dns),
    privateZonesSection(report),
    report.reconciliation ? reconciliationSection(report.reconciliation) : undefined,
    resourcesSection(report),
    gatesSection(report),
    hooksSection(report),
    errorsSection(report),
  ];
  return `${sections.filter((s): s is string => s !== undefined).join('\n\n')}\n`;
}

function header(report: RunReport): string {
  const duration = runDurationSeconds(report);
  const lines = [
    `# ${text(reportTitle(report))}`,
    '',
    `**Status:** ${code(report.status)} · **Regions:** ${code(report.fromRegion)} → ${code(report.toRegion)} · ` +
      `**Duration:** ${duration === undefined ? 'not completed' : formatSeconds(duration)}`,
    '',
    `- Run: ${code(report.runId)}`,
    `- Started: ${code(report.startedAt)}`,
    `- Completed: ${report.completedAt ? code(report.completedAt) : '—'}`,
  ];
  if (report.reason) lines.push(`- Reason: ${text(report.reason)}`);
  if (report.retirement) lines.push(`- Retirement: ${text(report.retirement)}`);
  return lines.join('\n');
}

/** Only when there are warnings: a successful run with something to look at. */
function warningsSection(report: RunReport): string | undefined {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return undefined;
  return ['## Warnings', '', ...warnings.map((w) => `- ⚠️ ${text(w)}`)].join('\n');
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? '—' : met ? '✅' : '❌';
}

function targetsSection(report: RunReport): string {
  const lines = ['## RTO / RPO'];
  if (report.rtoSeconds !== undefined) lines.push('', `Overall RTO: **${formatSeconds(report.rtoSeconds)}**`);
  lines.push(
    '',
    report.targets.length === 0
      ? '_No tier targets recorded._'
      : table(
          ['Tier', 'RTO target', 'RTO', 'Ready after', 'RTO met', 'RPO target', 'Worst RPO', 'RPO met'],
          report.targets.map((t: TierTarget) => [
            text(t.tier),
            formatSeconds(t.rtoTargetSeconds),
            optionalSeconds(t.rtoSeconds),
            optionalSeconds(t.readySeconds),
            verdict(rtoVerdict(t)),
            formatSeconds(t.rpoTargetSeconds),
            optionalSeconds(t.worstRpoSeconds),
            verdict(rpoVerdict(t)),
          ]),
        ),
  );
  const missed = report.targets.filter((t) => t.rtoMissed);
  if (missed.length > 0) {
    lines.push('', 'RTO missed; recovery went on:', '');
    for (const t of missed) lines.push(`- ${rtoMissText(t)}`);
  }
  return lines.join('\n');
}

/** `**data**: at 31m, still waiting for 1 resource(s): `shop-db-pf-1a2b` (creating)` */
function rtoMissText(t: TierTarget): string {
  const missed = t.rtoMissed;
  if (!missed) return '';
  const shown = missed.laggards.map((l) => `${code(l.id)} (${text(l.state)})`).join(', ');
  const more =
    missed.laggardCount > missed.laggards.length
      ? ` and ${missed.laggardCount - missed.laggards.length} more`
      : '';
  return `**${text(t.tier)}**: at ${formatSeconds(missed.elapsedSeconds)}, still waiting for ${missed.laggardCount} resource(s)${shown ? `: ${shown}${more}` : ''}`;
}

function timelineSection(report: RunReport): string {
  if (report.timeline.length === 0) return '## Timeline\n\n_No steps recorded._';
  const origin = timelineOrigin(report.startedAt, report.timeline);
  return `## Timeline\n\n${table(
    ['#', 'Step', 'Kind', 'Tier', 'Start', 'Duration', 'Outcome'],
    report.timeline.map((step, i) => {
      const span = stepSpan(step, origin);
      return [
        String(i + 1),
        text(step.name),
        step.kind,
        step.tier === undefined ? '' : text(step.tier),
        `+${formatSeconds(span.offset)}`,
        formatSeconds(span.duration),
        step.outcome === 'failed' ? '**failed**' : text(step.outcome),
      ];
    }),
  )}`;
}

function values(list: readonly string[]): string {
  return list.length === 0 ? '_(none)_' : list.map(code).join(', ');
}

function dnsSection(zones: readonly DnsZoneDiff[]): string {
  const lines = ['## DNS changes'];
  if (zones.length === 0) lines.push('', '_No DNS changes._');
  for (const zone of zones) {
    lines.push('', `### Zone ${code(zone.zone)}`, '');
    lines.push(
      zone.changes.length === 0
        ? '_No changes in this zone._'
        : table(
            ['Record', 'Type', 'Set identifier', 'Before → After', 'Reason'],
            zone.changes.map((c) => [
              code(c.name),
              text(c.type),
              c.setIdentifier === undefined ? '' : code(c.setIdentifier),
              `${values(c.before)} → ${values(c.after)}`,
              c.reason === undefined ? '' : text(c.reason),
            ]),
          ),
    );
  }
  return lines.join('\n');
}

function reconciliationSection(r: Reconciliation): string {
  const lines = ['## Reconciliation', '', '### Decisions', ''];
  lines.push(
    r.decisions.length === 0
      ? '_None._'
      : table(
          ['Record', 'Action', 'Reason'],
          r.decisions.map((d) => [code(d.key), text(d.action), text(d.reason)]),
        ),
    '',
    '### Conflicts',
    '',
    r.conflicts.length === 0
      ? '_None._'
      : table(
          ['Record', 'Kind', 'Now', 'Desired', 'Resolution'],
          r.conflicts.map((c) => [
            code(c.key),
            text(c.kind),
            values(c.now),
            values(c.desired),
            text(c.resolution),
          ]),
        ),
    '',
    '### Preserved changes',
    '',
    r.preserved.length === 0
      ? '_None._'
      : table(
          ['Record', 'Reason'],
          r.preserved.map((p) => [code(p.key), text(p.reason)]),
        ),
  );
  return lines.join('\n');
}

function resourcesSection(report: RunReport): string {
  if (report.resources.length === 0) return '## Resources\n\n_No resources recorded._';
  return `## Resources\n\n${table(
    ['Kind', 'Tier', 'Role', 'Source', 'Result', 'Action', 'Final snapshot'],
    report.resources.map((r) => [
      resourceKindLabel(r.kind),
      text(r.tier),
      text(r.role),
      code(r.source),
      code(r.result),
      text(r.action),
      r.finalSnapshot === undefined ? '' : code(r.finalSnapshot),
    ]),
  )}`;
}

/** Only for plans with private zones: which VPC associations Pendulum made, and which it found. */
function privateZonesSection(report: RunReport): string | undefined {
  const zones = report.privateZones ?? [];
  if (zones.length === 0) return undefined;
  return `## Private zones\n\nAssociations Pendulum made are kept for failback; it never removes one.\n\n${table(
    ['Zone', 'Region', 'Associated by Pendulum', 'Already associated'],
    zones.map((z) => [
      `${text(z.zone)} (${code(z.id)})`,
      text(z.region),
      z.associatedByPendulum.map(code).join(', ') || '—',
      z.alreadyAssociated.map(code).join(', ') || '—',
    ]),
  )}`;
}

const GATE_ICONS: Record<string, string> = { passed: '🟢', blocked: '⛔', waited: '⏳', skipped: '⏭️' };

function gatesSection(report: RunReport): string {
  if (report.gates.length === 0) return '## Gates\n\n_No gates recorded._';
  return `## Gates\n\n${table(
    ['Gate', 'Decision', 'Detail', 'At'],
    report.gates.map((g) => [
      text(g.name),
      `${GATE_ICONS[g.decision] ?? ''} ${text(g.decision)}`.trim(),
      text(g.detail),
      g.at === undefined ? '' : code(g.at),
    ]),
  )}`;
}

function hooksSection(report: RunReport): string {
  if (report.hooks.length === 0) return '## Hooks\n\n_No hooks ran._';
  return `## Hooks\n\n${table(
    ['Phase', 'Hook', 'Outcome', 'Attempts', 'Time', 'Reason'],
    report.hooks.map((h) => [
      text(h.phase),
      text(h.hook),
      text(h.outcome),
      String(h.attempts),
      formatMs(h.ms),
      h.reason === undefined ? '' : text(h.reason),
    ]),
  )}`;
}

function errorsSection(report: RunReport): string {
  if (report.errors.length === 0) return '## Errors\n\n_No errors._';
  const lines = ['## Errors'];
  report.errors.forEach((e, i) => {
    lines.push('', `### ${i + 1}. ${code(e.error)}${e.state === undefined ? '' : ` in ${text(e.state)}`}`);
    lines.push('', fenced(e.cause));
  });
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Escaping

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

function oneLine(value: string): string {
  return withoutControlCharacters(value).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** Free text: Markdown punctuation backslash-escaped (`<` too, so no HTML gets through). */
function text(value: string): string {
  return oneLine(value).replace(/[\\`*_{}[\]<>|~&#!]/g, '\\$&');
}

/** A code span, its fence longer than any run of backticks inside; `|` escaped for tables. */
function code(value: string): string {
  const content = oneLine(value);
  if (content === '') return '_(empty)_';
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${content.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A fenced block, its fence longer than any run of backticks inside. */
function fenced(value: string): string {
  const content = withoutControlCharacters(value);
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${content}\n${fence}`;
}
