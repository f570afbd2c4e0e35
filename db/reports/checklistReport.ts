import { inertLine } from '../../lib/inertText';
import type { ChecklistItemState, ChecklistRunState } from '../audit/records';

const ICON = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/** One line for people: the run's name and its counts. */
export function reportSummary(run: Pick<ChecklistRunState, 'name' | 'runId' | 'counts'>): string {
  const { pass, warn, fail } = run.counts;
  return `${run.name} (${run.runId}): ${pass} pass, ${warn} warn, ${fail} fail`;
}

const cell = (s: string | undefined) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The finished run as Markdown: one row per item, with what it measured and the incidents it opened. */
export function reportMarkdown(run: Pick<ChecklistRunState, 'name' | 'runId' | 'counts' | 'startedAt' | 'finishedAt' | 'items'>): string {
  return [
    `# ${run.name}`,
    '',
    `Run \`${run.runId}\`, ${run.startedAt} – ${run.finishedAt ?? 'running'}: **${run.counts.pass} pass, ${run.counts.warn} warn, ${run.counts.fail} fail**`,
    '',
    '| item | tier | result | summary | incidents |',
    '|---|---|---|---|---|',
    ...run.items.map(
      (i) =>
        `| ${cell(i.title)} | ${i.tier ?? ''} | ${i.outcome ? ICON[i.outcome] : i.status} | ${cell(i.summary)} | ${i.incidents.join(', ')} |`,
    ),
  ].join('\n');
}

/** The same as a fixed-width table for a terminal: a summary (a check's output, a sign-off's note) is one inert line. */
export function reportTable(run: Pick<ChecklistRunState, 'name' | 'runId' | 'counts' | 'items'>): string {
  const rows = run.items.map((i: ChecklistItemState) => [
    i.key,
    i.outcome ? ICON[i.outcome] : i.status,
    inertLine(i.summary).slice(0, 70),
    i.incidents.join(' '),
  ]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), 4));
  return [
    reportSummary(run),
    ...rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`),
  ].join('\n');
}
