/**
 * The run report as one self-contained HTML5 page: inline CSS, the timeline as inline SVG, no scripts,
 * no external assets (a Content-Security-Policy forbids loading any). Every value from the report is
 * escaped. RTO and RPO cells carry `met` or `missed` so they show green or red.
 */

import { renderTimelineSvg } from './render-timeline-svg';
import {
  escapeHtml as esc,
  formatMs,
  formatSeconds,
  isFailureStatus,
  optionalSeconds,
  reportTitle,
  resourceKindLabel,
  rpoVerdict,
  rtoVerdict,
  runDurationSeconds,
  stepSpan,
  timelineOrigin,
} from './report-format';
import type { DnsZoneDiff, Reconciliation, RunReport } from './run-report-model';

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #57606a; --line: #d0d7de; --bg-alt: #f6f8fa;
  --ok-bg: #dafbe1; --ok-fg: #116329; --bad-bg: #ffebe9; --bad-fg: #a40e26; --warn-bg: #fff8c5; --warn-fg: #7d4e00; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin: 0 0 8px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 20px 0 8px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
code { background: var(--bg-alt); padding: 1px 4px; border-radius: 4px; word-break: break-all; }
pre { background: var(--bg-alt); padding: 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--bg-alt); }
td.num { text-align: right; white-space: nowrap; }
.summary { font-size: 1.1em; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.status { font-weight: 600; padding: 2px 10px; border-radius: 12px; }
.status.ok { background: var(--ok-bg); color: var(--ok-fg); }
.status.bad { background: var(--bad-bg); color: var(--bad-fg); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 12px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
td.met { background: var(--ok-bg); color: var(--ok-fg); font-weight: 600; }
td.missed { background: var(--bad-bg); color: var(--bad-fg); font-weight: 600; }
td.outcome-failed, td.decision-blocked { color: var(--bad-fg); font-weight: 600; }
td.outcome-caught, td.decision-waited { color: var(--warn-fg); }
td.before code { background: var(--bad-bg); }
section.warnings ul { background: var(--warn-bg); color: var(--warn-fg); padding: 8px 8px 8px 28px; border-radius: 6px; }
td.after code { background: var(--ok-bg); }
.none { color: var(--muted); font-style: italic; }
.chart { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px 0; }
.chart svg { display: block; }
details { margin-top: 8px; }
summary { cursor: pointer; color: var(--muted); }
@media print { main { max-width: none; padding: 0; } .chart { overflow: visible; } }
`;

export function renderHtml(report: RunReport): string {
  const title = `${reportTitle(report)} (${report.runId})`;
  const body = [
    header(report),
    warningsSection(report),
    targetsSection(report),
    timelineSection(report),
    dnsSection(report.dns),
    privateZonesSection(report),
    report.reconciliation ? reconciliationSection(report.reconciliation) : '',
    resourcesSection(report),
    gatesSection(report),
    hooksSection(report),
    errorsSection(report),
  ].filter((s) => s !== '');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function header(report: RunReport): string {
  const duration = runDurationSeconds(report);
  const facts: [string, string][] = [
    ['Run', `<code>${esc(report.runId)}</code>`],
    ['Workflow', esc(report.workflow)],
    ['Started', `<time>${esc(report.startedAt)}</time>`],
    ['Completed', report.completedAt ? `<time>${esc(report.completedAt)}</time>` : '—'],
  ];
  if (report.reason) facts.push(['Reason', esc(report.reason)]);
  if (report.retirement) facts.push(['Retirement', esc(report.retirement)]);
  return [
    '<header id="summary">',
    `<h1>${esc(reportTitle(report))}</h1>`,
    '<p class="summary">',
    `<span class="status ${isFailureStatus(report.status) ? 'bad' : 'ok'}">${esc(report.status)}</span>`,
    `<span class="route"><code>${esc(report.fromRegion)}</code> → <code>${esc(report.toRegion)}</code></span>`,
    `<span class="duration">Duration: ${duration === undefined ? 'not completed' : esc(formatSeconds(duration))}</span>`,
    '</p>',
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('\n');
}

function verdictCell(kind: 'rto' | 'rpo', value: number | undefined, met: boolean | undefined): string {
  const shown = esc(optionalSeconds(value));
  if (met === undefined) return `<td class="num ${kind}">${shown}</td>`;
  return `<td class="num ${kind} ${met ? 'met' : 'missed'}">${shown} ${met ? '✓' : '✗'}</td>`;
}

function targetsSection(report: RunReport): string {
  const parts = ['<section id="targets">', '<h2>RTO / RPO</h2>'];
  if (report.rtoSeconds !== undefined) {
    parts.push(
      `<p>Overall RTO: <strong class="overall-rto">${esc(formatSeconds(report.rtoSeconds))}</strong></p>`,
    );
  }
  if (report.targets.length === 0) parts.push('<p class="none">No tier targets recorded.</p>');
  else {
    parts.push(
      table(
        'targets',
        ['Tier', 'RTO target', 'RTO', 'Ready after', 'RPO target', 'Worst RPO'],
        report.targets.map((t) =>
          [
            `<tr data-tier="${esc(t.tier)}">`,
            `<th scope="row">${esc(t.tier)}</th>`,
            `<td class="num">${esc(formatSeconds(t.rtoTargetSeconds))}</td>`,
            verdictCell('rto', t.rtoSeconds, rtoVerdict(t)),
            `<td class="num">${esc(optionalSeconds(t.readySeconds))}</td>`,
            `<td class="num">${esc(formatSeconds(t.rpoTargetSeconds))}</td>`,
            verdictCell('rpo', t.worstRpoSeconds, rpoVerdict(t)),
            '</tr>',
          ].join(''),
        ),
      ),
    );
  }
  const missed = report.targets.filter((t) => t.rtoMissed);
  if (missed.length > 0) {
    parts.push('<p>RTO missed; recovery went on:</p>', '<ul class="rto-missed">');
    for (const t of missed) {
      const m = t.rtoMissed;
      if (!m) continue;
      const shown = m.laggards.map((l) => `<code>${esc(l.id)}</code> (${esc(l.state)})`).join(', ');
      const more =
        m.laggardCount > m.laggards.length ? ` and ${m.laggardCount - m.laggards.length} more` : '';
      parts.push(
        `<li data-tier="${esc(t.tier)}"><strong>${esc(t.tier)}</strong>: at ${esc(formatSeconds(m.elapsedSeconds))}, still waiting for ${m.laggardCount} resource(s)${shown ? `: ${shown}${more}` : ''}</li>`,
      );
    }
    parts.push('</ul>');
  }
  parts.push('</section>');
  return parts.join('\n');
}

function timelineSection(report: RunReport): string {
  const parts = ['<section id="timeline">', '<h2>Timeline</h2>'];
  parts.push(
    `<div class="chart">${renderTimelineSvg(report.timeline, { startedAt: report.startedAt })}</div>`,
  );
  if (report.timeline.length > 0) {
    const origin = timelineOrigin(report.startedAt, report.timeline);
    parts.push(
      '<details>',
      `<summary>Steps (${report.timeline.length})</summary>`,
      table(
        'steps',
        ['#', 'Step', 'Kind', 'Tier', 'Start', 'Duration', 'Outcome'],
        report.timeline.map((step, i) => {
          const span = stepSpan(step, origin);
          return row([
            `<td class="num">${i + 1}</td>`,
            td(step.name),
            td(step.kind),
            td(step.tier ?? ''),
            `<td class="num">+${esc(formatSeconds(span.offset))}</td>`,
            `<td class="num">${esc(formatSeconds(span.duration))}</td>`,
            `<td class="outcome-${esc(step.outcome)}">${esc(step.outcome)}</td>`,
          ]);
        }),
      ),
      '</details>',
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function valuesCell(cls: string, list: readonly string[]): string {
  if (list.length === 0) return `<td class="${cls}"><span class="none">none</span></td>`;
  return `<td class="${cls}">${list.map((v) => `<code>${esc(v)}</code>`).join('<br>')}</td>`;
}

function dnsSection(zones: readonly DnsZoneDiff[]): string {
  const parts = ['<section id="dns">', '<h2>DNS changes</h2>'];
  if (zones.length === 0) parts.push('<p class="none">No DNS changes.</p>');
  for (const zone of zones) {
    parts.push(`<h3>Zone <code>${esc(zone.zone)}</code></h3>`);
    if (zone.changes.length === 0) {
      parts.push('<p class="none">No changes in this zone.</p>');
      continue;
    }
    parts.push(
      table(
        'dns',
        ['Record', 'Type', 'Set identifier', 'Before', 'After', 'Reason'],
        zone.changes.map((c) =>
          row([
            `<td><code>${esc(c.name)}</code></td>`,
            td(c.type),
            c.setIdentifier === undefined ? '<td></td>' : `<td><code>${esc(c.setIdentifier)}</code></td>`,
            valuesCell('before', c.before),
            valuesCell('after', c.after),
            td(c.reason ?? ''),
          ]),
        ),
      ),
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function reconciliationSection(r: Reconciliation): string {
  const none = '<p class="none">None.</p>';
  return [
    '<section id="reconciliation">',
    '<h2>Reconciliation</h2>',
    '<h3>Decisions</h3>',
    r.decisions.length === 0
      ? none
      : table(
          'decisions',
          ['Record', 'Action', 'Reason'],
          r.decisions.map((d) => row([codeTd(d.key), td(d.action), td(d.reason)])),
        ),
    '<h3>Conflicts</h3>',
    r.conflicts.length === 0
      ? none
      : table(
          'conflicts',
          ['Record', 'Kind', 'Now', 'Desired', 'Resolution'],
          r.conflicts.map((c) =>
            row([
              codeTd(c.key),
              td(c.kind),
              valuesCell('now', c.now),
              valuesCell('desired', c.desired),
              td(c.resolution),
            ]),
          ),
        ),
    '<h3>Preserved changes</h3>',
    r.preserved.length === 0
      ? none
      : table(
          'preserved',
          ['Record', 'Reason'],
          r.preserved.map((p) => row([codeTd(p.key), td(p.reason)])),
        ),
    '</section>',
  ].join('\n');
}

function resourcesSection(report: RunReport): string {
  const body =
    report.resources.length === 0
      ? '<p class="none">No resources recorded.</p>'
      : table(
          'resources',
          ['Kind', 'Tier', 'Role', 'Source', 'Result', 'Action', 'Final snapshot'],
          report.resources.map((r) =>
            row([
              td(resourceKindLabel(r.kind)),
              td(r.tier),
              td(r.role),
              codeTd(r.source),
              codeTd(r.result),
              td(r.action),
              r.finalSnapshot === undefined ? '<td></td>' : codeTd(r.finalSnapshot),
            ]),
          ),
        );
  return ['<section id="resources">', '<h2>Resources</h2>', body, '</section>'].join('\n');
}

/** Only for plans with private zones: which VPC associations Pendulum made, and which it found. */
function privateZonesSection(report: RunReport): string {
  const zones = report.privateZones ?? [];
  if (zones.length === 0) return '';
  const vpcs = (ids: readonly string[]) =>
    ids.length > 0 ? ids.map((id) => `<code>${esc(id)}</code>`).join(', ') : '—';
  return [
    '<section id="private-zones">',
    '<h2>Private zones</h2>',
    '<p>Associations Pendulum made are kept for failback; it never removes one.</p>',
    table(
      'private-zones',
      ['Zone', 'Region', 'Associated by Pendulum', 'Already associated'],
      zones.map((z) =>
        row([
          `<td>${esc(z.zone)} (<code>${esc(z.id)}</code>)</td>`,
          td(z.region),
          `<td>${vpcs(z.associatedByPendulum)}</td>`,
          `<td>${vpcs(z.alreadyAssociated)}</td>`,
        ]),
      ),
    ),
    '</section>',
  ].join('\n');
}

function gatesSection(report: RunReport): string {
  const body =
    report.gates.length === 0
      ? '<p class="none">No gates recorded.</p>'
      : table(
          'gates',
          ['Gate', 'Decision', 'Detail', 'At'],
          report.gates.map((g) =>
            row([
              td(g.name),
              `<td class="decision-${esc(g.decision)}">${esc(g.decision)}</td>`,
              td(g.detail),
              g.at === undefined ? '<td></td>' : `<td><time>${esc(g.at)}</time></td>`,
            ]),
          ),
        );
  return ['<section id="gates">', '<h2>Gates</h2>', body, '</section>'].join('\n');
}

/** Only when there are warnings: a successful run with something to look at. */
function warningsSection(report: RunReport): string {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return '';
  return [
    '<section id="warnings" class="warnings">',
    '<h2>Warnings</h2>',
    `<ul>${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`,
    '</section>',
  ].join('\n');
}

function hooksSection(report: RunReport): string {
  const body =
    report.hooks.length === 0
      ? '<p class="none">No hooks ran.</p>'
      : table(
          'hooks',
          ['Phase', 'Hook', 'Outcome', 'Attempts', 'Time', 'Reason'],
          report.hooks.map((h) =>
            row([
              td(h.phase),
              td(h.hook),
              td(h.outcome),
              `<td class="num">${esc(h.attempts)}</td>`,
              `<td class="num">${esc(formatMs(h.ms))}</td>`,
              td(h.reason ?? ''),
            ]),
          ),
        );
  return ['<section id="hooks">', '<h2>Hooks</h2>', body, '</section>'].join('\n');
}

function errorsSection(report: RunReport): string {
  const parts = ['<section id="errors">', '<h2>Errors</h2>'];
  if (report.errors.length === 0) parts.push('<p class="none">No errors.</p>');
  report.errors.forEach((e, i) => {
    parts.push(
      `<h3>${i + 1}. <code>${esc(e.error)}</code>${e.state === undefined ? '' : ` in ${esc(e.state)}`}</h3>`,
      `<pre class="cause">${esc(e.cause)}</pre>`,
    );
  });
  parts.push('</section>');
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------

function table(cls: string, headers: readonly string[], rows: readonly string[]): string {
  return [
    `<table class="${cls}">`,
    `<thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows,
    '</tbody>',
    '</table>',
  ].join('\n');
}

function row(cells: readonly string[]): string {
  return `<tr>${cells.join('')}</tr>`;
}

function td(value: string): string {
  return `<td>${esc(value)}</td>`;
}

function codeTd(value: string): string {
  return `<td><code>${esc(value)}</code></td>`;
}
