/**
 * The run's timeline as a Gantt chart in plain SVG: one `rect.bar` per step (with `data-step`), a time
 * axis with ticks, a label per row and a colour per outcome. Self-contained (no CSS or fonts needed),
 * so it works inline in the HTML report and as a file of its own.
 */
import { escapeHtml, formatSeconds, stepSpan, timelineOrigin } from './report-format';
import type { StepOutcome, TimelineStep } from './run-report-model';

export interface TimelineSvgOptions {
  /** Time zero of the axis (the run's start); defaults to the first step's start. */
  startedAt?: string;
  /** Width in px of the drawing. */
  width?: number;
}

export const OUTCOME_COLOURS: Record<StepOutcome, string> = {
  succeeded: '#2e7d32',
  caught: '#e08600',
  failed: '#c62828',
};

const LABEL_WIDTH = 300;
const RIGHT_MARGIN = 80;
const AXIS_HEIGHT = 30;
const ROW_HEIGHT = 22;
const BAR_HEIGHT = 14;
const LEGEND_HEIGHT = 30;
const MAX_LABEL_CHARS = 44;
const TICK_STEPS = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];
const MAX_TICKS = 8;

export function renderTimelineSvg(
  timeline: readonly TimelineStep[],
  options: TimelineSvgOptions = {},
): string {
  const width = Math.max(options.width ?? 960, LABEL_WIDTH + RIGHT_MARGIN + 100);
  const plotLeft = LABEL_WIDTH;
  const plotWidth = width - LABEL_WIDTH - RIGHT_MARGIN;
  const origin = timelineOrigin(options.startedAt, timeline);
  const spans = timeline.map((step) => stepSpan(step, origin));
  const spanSeconds = Math.max(1, ...spans.map((s) => s.offset + s.duration));
  const x = (seconds: number) => plotLeft + (Math.max(0, seconds) / spanSeconds) * plotWidth;
  const rowsHeight = Math.max(1, timeline.length) * ROW_HEIGHT;
  const height = AXIS_HEIGHT + rowsHeight + 8 + LEGEND_HEIGHT;
  const plotBottom = AXIS_HEIGHT + rowsHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" width="${width}" height="${height}"` +
      ` viewBox="0 0 ${width} ${height}" aria-label="Timeline of ${timeline.length} step${timeline.length === 1 ? '' : 's'}"` +
      ` font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">`,
  );

  // Axis: ticks and grid lines.
  const tick = tickStep(spanSeconds);
  parts.push('<g class="axis">');
  for (let k = 0; k * tick <= spanSeconds + 1e-9; k++) {
    const t = k * tick;
    const tx = round(x(t));
    parts.push(
      `<line x1="${tx}" y1="${AXIS_HEIGHT - 6}" x2="${tx}" y2="${plotBottom}" stroke="#d0d7de" stroke-width="1"/>`,
      `<text class="tick" x="${tx}" y="${AXIS_HEIGHT - 10}" text-anchor="middle" fill="#57606a">${escapeHtml(tickLabel(t))}</text>`,
    );
  }
  parts.push(
    `<line x1="${plotLeft}" y1="${AXIS_HEIGHT - 6}" x2="${plotLeft + plotWidth}" y2="${AXIS_HEIGHT - 6}" stroke="#8c959f" stroke-width="1"/>`,
    '</g>',
  );

  if (timeline.length === 0) {
    parts.push(`<text x="${plotLeft}" y="${AXIS_HEIGHT + 15}" fill="#57606a">No steps recorded.</text>`);
  }

  timeline.forEach((step, i) => {
    const span = spans[i] ?? { offset: 0, duration: 0 };
    const rowTop = AXIS_HEIGHT + i * ROW_HEIGHT;
    const barX = round(x(span.offset));
    const barWidth = round(Math.max(2, x(span.offset + span.duration) - x(span.offset)));
    const colour = OUTCOME_COLOURS[step.outcome] ?? '#6e7781';
    const name = escapeHtml(step.name);
    const tier = step.tier === undefined ? '' : ` [${step.tier}]`;
    const tooltip = escapeHtml(
      `${step.name}${tier}: ${step.outcome}, +${formatSeconds(span.offset)}, ${formatSeconds(span.duration)}`,
    );
    parts.push(
      `<g class="step step-${escapeHtml(step.outcome)}">`,
      i % 2 === 1
        ? `<rect class="row" x="0" y="${rowTop}" width="${width}" height="${ROW_HEIGHT}" fill="#f6f8fa"/>`
        : '',
      `<text class="label" x="${LABEL_WIDTH - 8}" y="${rowTop + 15}" text-anchor="end" fill="#1f2328">` +
        `<title>${escapeHtml(step.name)}</title>${escapeHtml(truncate(step.name, MAX_LABEL_CHARS))}</text>`,
      `<rect class="bar ${escapeHtml(step.outcome)}" data-step="${name}" data-outcome="${escapeHtml(step.outcome)}"` +
        ` x="${barX}" y="${rowTop + (ROW_HEIGHT - BAR_HEIGHT) / 2}" width="${barWidth}" height="${BAR_HEIGHT}"` +
        ` rx="2" fill="${colour}"><title>${tooltip}</title></rect>`,
      `<text class="duration" x="${round(barX + barWidth + 4)}" y="${rowTop + 15}" fill="#57606a">${escapeHtml(formatSeconds(span.duration))}</text>`,
      '</g>',
    );
  });

  // Legend.
  const legendY = plotBottom + 8 + 11;
  parts.push('<g class="legend">');
  (['succeeded', 'caught', 'failed'] as const).forEach((outcome, i) => {
    const lx = plotLeft + i * 110;
    parts.push(
      `<rect x="${lx}" y="${legendY}" width="12" height="12" rx="2" fill="${OUTCOME_COLOURS[outcome]}"/>`,
      `<text x="${lx + 18}" y="${legendY + 10}" fill="#1f2328">${outcome}</text>`,
    );
  });
  parts.push('</g>', '</svg>');
  return parts.filter((p) => p !== '').join('\n');
}

function tickStep(spanSeconds: number): number {
  return TICK_STEPS.find((step) => spanSeconds / step <= MAX_TICKS) ?? Math.ceil(spanSeconds / MAX_TICKS);
}

/** `0`, `500 ms`, `30s`, `1m`, `1m 30s`, `2h`. */
function tickLabel(seconds: number): string {
  if (seconds === 0) return '0';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter(Boolean).join(' ');
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
