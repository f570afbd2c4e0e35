import { describe, expect, it } from 'vitest';
import { niceMax, weeklyChartSvg } from '../../client/console/weeklyChart';

const heights = (svg: string, cls: string) =>
  [...svg.matchAll(new RegExp(`class="${cls}"[^>]*height="([\\d.]+)"`, 'g'))].map((m) => Number(m[1]));

describe('the report’s weekly chart, drawn on the server', () => {
  it('one bar of incidents and one of breaches per week, in proportion, on a rounded axis', () => {
    const svg = weeklyChartSvg([
      { week: '2026-11-16', incidents: 4, breaches: 1, mttaMinutes: 3 },
      { week: '2026-11-23', incidents: 8, breaches: 0, mttaMinutes: null },
      { week: '2026-11-30', incidents: 0, breaches: 0, mttaMinutes: null },
    ]);
    const incidents = heights(svg, 'bar-incidents');
    const breaches = heights(svg, 'bar-breaches');
    expect(incidents).toHaveLength(3);
    expect(incidents[1]).toBeCloseTo(incidents[0] * 2);
    expect(incidents[2]).toBe(0);
    expect(breaches[0]).toBeCloseTo(incidents[0] / 4);
    expect(svg).toContain('>11-23</text>');
    expect(svg).toContain('role="img"');
    expect(svg).toContain('week of 2026-11-23: 8 incidents, 0 breaches');
  });

  it('says so when there is nothing, and rounds axes up to 1, 2, 5 × 10ⁿ', () => {
    expect(weeklyChartSvg([])).toContain('<desc id="chart-desc">no incidents</desc>');
    expect([0, 1, 3, 7, 12, 51, 200].map(niceMax)).toEqual([1, 1, 5, 10, 20, 100, 200]);
  });

  it('a week label is text, not markup', () => {
    expect(weeklyChartSvg([{ week: '<script>', incidents: 1, breaches: 0, mttaMinutes: null }])).not.toContain('<script>');
  });
});
