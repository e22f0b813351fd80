import { describe, expect, it } from 'vitest';
import { EVENT_TARGET, renderChart, STEP_FUNCTIONS_EVENT_LIMIT } from '../../bench/render-chart';

const chart = () =>
  renderChart({
    title: 'Pendulum <against> the floor',
    time: [
      {
        label: 'failover',
        color: '#1565c0',
        points: [
          { n: 10, value: 1.5 },
          { n: 100, value: 4 },
          { n: 1000, value: 30 },
        ],
      },
      {
        label: 'failover (floor)',
        color: '#1565c0',
        dashed: true,
        points: [
          { n: 10, value: 0.2 },
          { n: 1000, value: 20 },
        ],
      },
    ],
    events: [
      {
        label: 'failover',
        color: '#1565c0',
        points: [
          { n: 10, value: 64 },
          { n: 100, value: 64 },
          { n: 1000, value: 70 },
        ],
      },
    ],
  });

describe('the benchmark chart', () => {
  it('is one SVG document with both panels', () => {
    const svg = chart();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Wall time');
    expect(svg).toContain('State-machine history events');
    expect(svg.match(/<polyline /g)).toHaveLength(3);
  });

  it('draws the 25,000-event Step Functions limit and the 5,000 target as lines', () => {
    const svg = chart();
    const limits = [
      ...svg.matchAll(
        /<line class="limit" data-value="(\d+)" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"/g,
      ),
    ];
    expect(limits.map((m) => Number(m[1]))).toEqual([STEP_FUNCTIONS_EVENT_LIMIT, EVENT_TARGET]);
    for (const m of limits) {
      expect(m[3]).toBe(m[5]); // horizontal
      expect(Number(m[4])).toBeGreaterThan(Number(m[2]));
    }
    // The limit is above the target (smaller y), both inside the panel.
    expect(Number(limits[0]?.[3])).toBeLessThan(Number(limits[1]?.[3]));
    expect(svg).toContain('Step Functions limit: 25,000 events');
    expect(svg).toContain('target: 5,000 events');
  });

  it('puts N on a log scale: 10 → 100 spans as much as 100 → 1000', () => {
    const svg = chart();
    const x = (n: number) =>
      Number(
        new RegExp(`<text x="([\\d.]+)" y="[\\d.]+" font-size="11" text-anchor="middle">${n}</text>`).exec(
          svg,
        )?.[1],
      );
    expect(x(100) - x(10)).toBeCloseTo(x(1000) - x(100), 0);
  });

  it('escapes text', () => {
    expect(chart()).toContain('Pendulum &lt;against&gt; the floor');
  });
});
