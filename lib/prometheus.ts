/** Prometheus' text exposition format, for the few metrics dbops keeps itself (no client library needed). */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: { labels?: Record<string, string>; value: number }[];
}

export function renderMetrics(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${renderLabels(s.labels)} ${Number.isFinite(s.value) ? s.value : 'NaN'}`);
  }
  return lines.join('\n') + '\n';
}

function renderLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (!entries.length) return '';
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}

/** A counter kept in this process, by one label (e.g. refused alerts by HTTP status). */
export class LabelledCounter {
  private readonly counts = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly label: string,
  ) {}
  inc(value: string) {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }
  family(): MetricFamily {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      samples: [...this.counts].map(([v, n]) => ({ labels: { [this.label]: v }, value: n })),
    };
  }
}

/** Parses the text format into `name{labels}` → value (tests and benchmarks read a scrape with it). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?(?:\{.*\})?)\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}
