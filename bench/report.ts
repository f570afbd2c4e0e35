/** What a benchmark hands back: labelled figures and the conditions they were measured under. */
export interface BenchResult {
  name: string;
  /** Where it ran, e.g. "dev server, in-memory store"; printed with the figures so they are not misread. */
  setting: string;
  figures: [label: string, value: string][];
  notes?: string[];
  /** Figures by name for `--json FILE` (milliseconds, seconds, megabytes or ratios, as the name says). */
  metrics?: Record<string, number>;
}

/** Prints all results as one plain-text table (no colours: the output gets pasted into issues and chats). */
export function printTable(results: BenchResult[]): void {
  const rows: string[][] = [['benchmark', 'setting', 'figure', 'value']];
  for (const r of results) {
    r.figures.forEach(([label, value], i) => rows.push([i === 0 ? r.name : '', i === 0 ? r.setting : '', label, value]));
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]))
      .join(' | ')
      .trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows.slice(1)) console.log(line(row));
  const notes = results.flatMap((r) => (r.notes ?? []).map((n) => `  ${r.name}: ${n}`));
  if (notes.length) console.log(`\nnotes:\n${notes.join('\n')}`);
}
