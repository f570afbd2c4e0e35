import type { StoredEvent } from '../../db/audit/readEvents';
import { inertJson, inertLine } from '../../lib/inertText';

export type ExportFormat = 'json' | 'csv' | 'markdown';
export const EXPORT_FORMATS: ExportFormat[] = ['json', 'csv', 'markdown'];

// Each event's data is written as inert JSON: the same value as stored, with nothing in it a terminal acts on.
const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? inertLine(v) : inertJson(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** An incident's audit timeline as JSON, CSV or Markdown, for people and tools that do not speak Temporal. */
export function formatEvents(events: StoredEvent[], format: ExportFormat): string {
  switch (format) {
    case 'json':
      return inertJson(events, 2);
    case 'csv':
      return [
        'seq,occurred_at,kind,actor,data,hash',
        ...events.map((e) => [e.seq, e.occurredAt, e.kind, e.actor, e.data, e.hash].map(csvCell).join(',')),
      ].join('\n');
    case 'markdown':
      return [
        '| # | when (UTC) | event | actor | details |',
        '|---|---|---|---|---|',
        ...events.map(
          (e) => `| ${e.seq} | ${e.occurredAt} | ${e.kind} | ${inertLine(e.actor ?? '')} | ${inertJson(e.data).replace(/\|/g, '\\|')} |`,
        ),
      ].join('\n');
  }
}
