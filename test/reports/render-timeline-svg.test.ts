import { describe, expect, it } from 'vitest';
import { renderTimelineSvg } from '../../lambdas/reports/render-timeline-svg';
import type { TimelineStep } from '../../lambdas/reports/run-report-model';
import { sampleReport, XSS } from './sample-report';

describe('renderTimelineSvg', () => {
  it('draws exactly one bar per step, coloured by outcome', () => {
    // Prepare
    const { timeline, startedAt } = sampleReport();

    // Act
    const svg = renderTimelineSvg(timeline, { startedAt });

    // Assess
    const bars = [...svg.matchAll(/<rect class="bar ([a-z]+)" data-step="([^"]*)"[^>]*fill="([^"]+)"/g)];
    expect(bars.map((m) => m[2])).toEqual(timeline.map((s) => s.name));
    expect(bars.map((m) => m[1])).toEqual(timeline.map((s) => s.outcome));
    expect(new Set(bars.filter((m) => m[1] === 'failed').map((m) => m[3]))).toEqual(new Set(['#c62828']));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('has time axis ticks from zero across the run', () => {
    // Prepare
    const { timeline, startedAt } = sampleReport();

    // Act
    const svg = renderTimelineSvg(timeline, { startedAt });

    // Assess: a 12-minute run gets a tick every 2 minutes.
    const ticks = [...svg.matchAll(/<text class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(ticks).toEqual(['0', '2m', '4m', '6m', '8m', '10m', '12m']);
  });

  it('escapes step names in labels, attributes and tooltips', () => {
    // Prepare
    const step: TimelineStep = {
      name: `${XSS} "q" & 'a'`,
      kind: 'task',
      tier: '<b>',
      startedAt: '2024-05-01T10:00:00.000Z',
      endedAt: '2024-05-01T10:00:02.000Z',
      outcome: 'succeeded',
    };

    // Act
    const svg = renderTimelineSvg([step]);

    // Assess
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain(
      'data-step="&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot; &amp; &#39;a&#39;"',
    );
  });

  it('draws no bars for an empty timeline', () => {
    // Prepare, Act
    const svg = renderTimelineSvg([]);

    // Assess
    expect(svg).not.toContain('class="bar');
    expect(svg).toContain('No steps recorded.');
  });
});
