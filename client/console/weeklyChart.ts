/** One week of the report's trend. */
export interface WeekFigures {
  /** The week's Monday, YYYY-MM-DD. */
  week: string;
  incidents: number;
  breaches: number;
  mttaMinutes: number | null;
}

const W = 480;
const H = 280;
const PAD = { left: 40, right: 10, top: 16, bottom: 56 };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const plural = (n: number, word: string, ending = 's') => `${n} ${word}${n === 1 ? '' : ending}`;

/** A rounded-up axis maximum: 1, 2, 5, 10, 20, 50… */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value)!;
}

/**
 * The weekly trend as an SVG drawn on the server (no script, printable): per week a bar of incidents and beside it a
 * bar of response-SLA breaches, a labelled axis, and a table-free text alternative (its <title> and <desc>) for
 * screen readers.
 */
export function weeklyChartSvg(weeks: WeekFigures[]): string {
  const max = niceMax(Math.max(0, ...weeks.map((w) => w.incidents)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, weeks.length);
  const bar = Math.max(2, Math.min(24, slot / 3));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 2, max].map(
    (t) =>
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ccc"/>` +
      `<text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="16" fill="#222">${Number.isInteger(t) ? t : t.toFixed(1)}</text>`,
  );
  // At most about eight labels fit a phone's width: every k-th week is named.
  const every = Math.ceil(weeks.length / 8);
  const bars = weeks.map((w, i) => {
    const x = PAD.left + i * slot + slot / 2;
    const week = esc(w.week);
    const label = esc(w.week.slice(5));
    return (
      `<rect class="bar-incidents" x="${x - bar}" y="${y(w.incidents)}" width="${bar}" height="${y(0) - y(w.incidents)}" fill="#0b5394"><title>week of ${week}: ${plural(w.incidents, 'incident')}</title></rect>` +
      `<rect class="bar-breaches" x="${x}" y="${y(w.breaches)}" width="${bar}" height="${y(0) - y(w.breaches)}" fill="#a61b1b"><title>week of ${week}: ${plural(w.breaches, 'response-SLA breach', 'es')}</title></rect>` +
      (i % every === 0 ? `<text x="${x}" y="${H - PAD.bottom + 20}" text-anchor="middle" font-size="16" fill="#222">${label}</text>` : '')
    );
  });
  const summary =
    weeks.map((w) => `week of ${w.week}: ${plural(w.incidents, 'incident')}, ${plural(w.breaches, 'breach', 'es')}`).join('; ') ||
    'no incidents';
  return (
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc">` +
    `<title id="chart-title">Incidents and response-SLA breaches per week</title><desc id="chart-desc">${esc(summary)}</desc>` +
    ticks.join('') +
    bars.join('') +
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}" stroke="#222"/>` +
    `<rect x="${PAD.left}" y="${H - 20}" width="14" height="14" fill="#0b5394"/><text x="${PAD.left + 18}" y="${H - 8}" font-size="16" fill="#222">incidents</text>` +
    `<rect x="${PAD.left + 110}" y="${H - 20}" width="14" height="14" fill="#a61b1b"/><text x="${PAD.left + 128}" y="${H - 8}" font-size="16" fill="#222">response-SLA breaches</text>` +
    `</svg>`
  );
}
