/**
 * The benchmark's chart, as hand-written SVG: wall time and state-machine history events against
 * the number of instances N, both on log scales. The events panel draws Step Functions' hard limit
 * of 25,000 history events per execution and the 5,000-event target as horizontal lines.
 */
export const STEP_FUNCTIONS_EVENT_LIMIT = 25_000;
export const EVENT_TARGET = 5_000;

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly { n: number; value: number }[];
}

export interface ChartData {
  readonly title: string;
  readonly time: readonly ChartSeries[];
  readonly events: readonly ChartSeries[];
}

const WIDTH = 980;
const HEIGHT = 460;
const PANEL = { width: 400, height: 300, top: 70 };
const LEFT = [70, 560];

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

function logScale(min: number, max: number, from: number, to: number) {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  return (v: number) => from + ((Math.log10(v) - lo) / (hi - lo || 1)) * (to - from);
}

function decadeBounds(values: number[], extraMax = 0): [number, number] {
  const positive = values.filter((v) => v > 0);
  const lo = positive.length ? Math.min(...positive) : 1;
  const hi = Math.max(positive.length ? Math.max(...positive) : 10, extraMax);
  const min = 10 ** Math.floor(Math.log10(lo));
  let max = 10 ** Math.ceil(Math.log10(hi));
  if (max <= min) max = min * 10;
  return [min, max];
}

function tickLabel(v: number): string {
  if (v >= 1000) return `${v / 1000}k`;
  if (v < 1) return String(v);
  return String(v);
}

function panel(
  left: number,
  title: string,
  yLabel: string,
  series: readonly ChartSeries[],
  ns: number[],
  lines: { value: number; label: string; color: string }[],
): string {
  const top = PANEL.top;
  const bottom = top + PANEL.height;
  const right = left + PANEL.width;
  const [xMin, xMax] = [Math.min(...ns) / 1.5, Math.max(...ns) * 1.5];
  const [yMin, yMax] = decadeBounds(
    series.flatMap((s) => s.points.map((p) => p.value)),
    Math.max(0, ...lines.map((l) => l.value * 1.2)),
  );
  const x = logScale(xMin, xMax, left, right);
  const y = logScale(yMin, yMax, bottom, top);
  const out: string[] = [];
  out.push(`<g class="panel">`);
  out.push(`<text x="${left}" y="${top - 16}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(
    `<rect x="${left}" y="${top}" width="${PANEL.width}" height="${PANEL.height}" fill="none" stroke="#999"/>`,
  );
  for (let v = yMin; v <= yMax * 1.0001; v *= 10) {
    const py = fmt(y(v));
    out.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#eee"/>`);
    out.push(
      `<text x="${left - 6}" y="${py}" font-size="11" text-anchor="end" dominant-baseline="middle">${tickLabel(v)}</text>`,
    );
  }
  for (const n of ns) {
    const px = fmt(x(n));
    out.push(`<line x1="${px}" y1="${top}" x2="${px}" y2="${bottom}" stroke="#eee"/>`);
    out.push(`<text x="${px}" y="${bottom + 16}" font-size="11" text-anchor="middle">${n}</text>`);
  }
  out.push(
    `<text x="${left + PANEL.width / 2}" y="${bottom + 34}" font-size="12" text-anchor="middle">instances N (log scale)</text>`,
  );
  out.push(
    `<text x="${left - 50}" y="${top + PANEL.height / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${left - 50} ${top + PANEL.height / 2})">${escapeXml(yLabel)}</text>`,
  );
  for (const line of lines) {
    const py = fmt(y(line.value));
    out.push(
      `<line class="limit" data-value="${line.value}" x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="${line.color}" stroke-width="2" stroke-dasharray="8 4"/>`,
    );
    out.push(
      `<text x="${right - 4}" y="${Number(py) - 5}" font-size="11" text-anchor="end" fill="${line.color}">${escapeXml(line.label)}</text>`,
    );
  }
  for (const s of series) {
    const pts = s.points.filter((p) => p.n > 0 && p.value > 0).sort((a, b) => a.n - b.n);
    if (pts.length === 0) continue;
    const path = pts.map((p) => `${fmt(x(p.n))},${fmt(y(p.value))}`).join(' ');
    out.push(
      `<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}><title>${escapeXml(s.label)}</title></polyline>`,
    );
    for (const p of pts)
      out.push(
        `<circle cx="${fmt(x(p.n))}" cy="${fmt(y(p.value))}" r="3" fill="${s.color}"><title>${escapeXml(`${s.label}: N=${p.n}, ${p.value}`)}</title></circle>`,
      );
  }
  out.push('</g>');
  return out.join('\n');
}

function legend(series: readonly ChartSeries[], top: number): string {
  return series
    .map((s, i) => {
      const col = i % 4;
      const row = Math.floor(i / 4);
      const lx = 70 + col * 225;
      const ly = top + row * 18;
      return `<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/><text x="${lx + 30}" y="${ly}" font-size="11" dominant-baseline="middle">${escapeXml(s.label)}</text>`;
    })
    .join('\n');
}

export function renderChart(data: ChartData): string {
  const ns = [...new Set([...data.time, ...data.events].flatMap((s) => s.points.map((p) => p.n)))]
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  const axisNs = ns.length > 0 ? ns : [1, 10];
  const all = [...data.time, ...data.events.filter((e) => !data.time.some((t) => t.label === e.label))];
  const legendTop = PANEL.top + PANEL.height + 56;
  const height = Math.max(HEIGHT, legendTop + Math.ceil(all.length / 4) * 18 + 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" font-size="16" font-weight="bold" text-anchor="middle">${escapeXml(data.title)}</text>`,
    panel(LEFT[0] as number, 'Wall time', 'seconds (log scale)', data.time, axisNs, []),
    panel(
      LEFT[1] as number,
      'State-machine history events',
      'events per execution (log scale)',
      data.events,
      axisNs,
      [
        { value: STEP_FUNCTIONS_EVENT_LIMIT, label: 'Step Functions limit: 25,000 events', color: '#c62828' },
        { value: EVENT_TARGET, label: 'target: 5,000 events', color: '#ef6c00' },
      ],
    ),
    legend(all, legendTop),
    '</svg>',
    '',
  ].join('\n');
}
