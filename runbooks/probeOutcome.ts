import { renderTemplate } from './alertRouting';
import type { Outcome, ProbeThresholds } from './types';

/** What a probe's first row says: its outcome, why, and the runbook's evidence line filled from the row. Pure. */
export function probeOutcome(
  p: { thresholds: ProbeThresholds; evidence: string },
  row: Record<string, unknown> | undefined,
): { outcome: Outcome; summary: string; evidence: Record<string, unknown> } {
  const { column } = p.thresholds;
  if (!row) return { outcome: 'fail', summary: 'the probe returned no row', evidence: { row: null } };
  const raw = row[column];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' || typeof raw === 'bigint' ? Number(raw) : NaN;
  const cells = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
  const line = renderTemplate(p.evidence, cells);
  if (!Number.isFinite(value))
    return { outcome: 'fail', summary: `${line} (column ${column} is not a number: ${String(raw)})`, evidence: { row: cells, line } };
  const t = p.thresholds;
  const beyond = (above?: number, below?: number) =>
    above !== undefined && value > above
      ? `${column} ${value} > ${above}`
      : below !== undefined && value < below
        ? `${column} ${value} < ${below}`
        : undefined;
  const failed = beyond(t.failAbove, t.failBelow);
  const warned = failed ? undefined : beyond(t.warnAbove, t.warnBelow);
  const outcome: Outcome = failed ? 'fail' : warned ? 'warn' : 'pass';
  const why = failed ?? warned;
  return { outcome, summary: why ? `${line} (${why})` : line, evidence: { row: cells, line, column, value, thresholds: t } };
}
