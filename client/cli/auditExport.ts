import type { StoredEvent } from '../../db/audit/readEvents';

export type ExportFormat = 'json' | 'csv' | 'markdown';
export const EXPORT_FORMATS: ExportFormat[] = ['json', 'csv', 'markdown'];

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** An incident's audit timeline as JSON, CSV or Markdown, for people and tools that do not speak Temporal. */
export function formatEvents(events: StoredEvent[], format: ExportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(events, null, 2);
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
          (e) => `| ${e.seq} | ${e.occurredAt} | ${e.kind} | ${e.actor ?? ''} | ${JSON.stringify(e.data).replace(/\|/g, '\\|')} |`,
        ),
      ].join('\n');
  }
}
