/**
 * Formatting shared by the Markdown and HTML renderers: durations, offsets, verdicts, escaping.
 */
import type { ReportWorkflow, RunReport, TierTarget, TimelineStep } from './run-report-model';

const WORKFLOW_TITLES: Record<ReportWorkflow, string> = {
  failover: 'Failover',
  failback: 'Failback',
  drill: 'Drill',
};

/** How a resource kind reads in a report: EC2 and RDS by their service, a cluster by what it is. */
export function resourceKindLabel(kind: string): string {
  return kind === 'aurora' ? 'Aurora cluster' : kind;
}

export function reportTitle(report: Pick<RunReport, 'workflow' | 'app'>): string {
  return `${WORKFLOW_TITLES[report.workflow] ?? report.workflow} report: ${report.app}`;
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable time. */
export function parseTime(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `850 ms`, `12s`, `4.5s`, `4m 05s`, `1h 02m 03s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0s';
  if (s < 1) return `${sign}${Math.round(s * 1000)} ms`;
  if (s < 10 && !Number.isInteger(s)) return `${sign}${(Math.round(s * 10) / 10).toFixed(1)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${sign}${h}h ${pad(m)}m ${pad(sec)}s`;
  if (m > 0) return `${sign}${m}m ${pad(sec)}s`;
  return `${sign}${sec}s`;
}

export function formatMs(ms: number): string {
  return formatSeconds(ms / 1000);
}

/** How long the run took, when both ends are known. */
export function runDurationSeconds(report: Pick<RunReport, 'startedAt' | 'completedAt'>): number | undefined {
  const start = parseTime(report.startedAt);
  const end = parseTime(report.completedAt);
  return start === undefined || end === undefined ? undefined : (end - start) / 1000;
}

/** Time zero of the timeline: the run's start, or the first step if that is earlier (or the start unreadable). */
export function timelineOrigin(startedAt: string | undefined, timeline: readonly TimelineStep[]): number {
  const starts = timeline.map((s) => parseTime(s.startedAt)).filter((t): t is number => t !== undefined);
  const runStart = parseTime(startedAt);
  const candidates = runStart === undefined ? starts : [runStart, ...starts];
  return candidates.length === 0 ? 0 : Math.min(...candidates);
}

export interface StepSpan {
  /** Seconds from the timeline origin. */
  offset: number;
  /** Seconds; never negative. */
  duration: number;
}

export function stepSpan(step: TimelineStep, origin: number): StepSpan {
  const start = parseTime(step.startedAt) ?? origin;
  const end = parseTime(step.endedAt) ?? start;
  return { offset: (start - origin) / 1000, duration: Math.max(0, end - start) / 1000 };
}

export function rtoVerdict(t: TierTarget): boolean | undefined {
  if (t.rtoMet !== undefined) return t.rtoMet;
  return t.rtoSeconds === undefined ? undefined : t.rtoSeconds <= t.rtoTargetSeconds;
}

export function rpoVerdict(t: TierTarget): boolean | undefined {
  if (t.rpoMet !== undefined) return t.rpoMet;
  return t.worstRpoSeconds === undefined ? undefined : t.worstRpoSeconds <= t.rpoTargetSeconds;
}

/** A status the run ended badly in. */
export function isFailureStatus(status: string): boolean {
  return /(^|_)FAIL(ED|URE)?$/.test(status);
}

export function optionalSeconds(seconds: number | undefined): string {
  return seconds === undefined ? '—' : formatSeconds(seconds);
}

/**
 * Escapes text for HTML or XML content and attribute values. Control characters XML forbids become
 * U+FFFD so the inline SVG stays well-formed on its own too.
 */
export function escapeHtml(value: unknown): string {
  return withoutControlCharacters(String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Replaces C0 control characters other than tab, line feed and carriage return with U+FFFD. */
export function withoutControlCharacters(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += code < 0x20 && ch !== '\t' && ch !== '\n' && ch !== '\r' ? '\uFFFD' : ch;
  }
  return out;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
