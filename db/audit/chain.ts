import crypto from 'node:crypto';

/** The hash an event row carries: over the previous row's hash and the event's own fields, in a stable order. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  eventId: string;
  subjectId: string;
  seq: number;
  kind: string;
  actor?: string | null;
  occurredAt: string;
  data: unknown;
}

export function eventHash(prevHash: string, e: ChainedFields): string {
  const body = stableStringify([
    prevHash,
    e.eventId,
    e.subjectId,
    e.seq,
    e.kind,
    e.actor ?? null,
    new Date(e.occurredAt).toISOString(),
    e.data,
  ]);
  return crypto.createHash('sha256').update(body).digest('hex');
}

/** JSON with object keys sorted, so the same value always hashes the same (jsonb does not keep key order). */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export interface ChainBreak {
  seq: number;
  eventId: string;
  problem: string;
}

/** Walks a subject's events in order and names every row whose hash or link does not match. */
export function verifyChain(rows: (ChainedFields & { prevHash: string; hash: string })[]): ChainBreak[] {
  const breaks: ChainBreak[] = [];
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const row of rows) {
    if (row.seq !== expectedSeq) breaks.push({ seq: row.seq, eventId: row.eventId, problem: `sequence gap: expected ${expectedSeq}` });
    if (row.prevHash !== expectedPrev)
      breaks.push({ seq: row.seq, eventId: row.eventId, problem: 'previous-hash link does not match the row before it' });
    if (eventHash(row.prevHash, row) !== row.hash)
      breaks.push({ seq: row.seq, eventId: row.eventId, problem: 'row content does not match its hash (edited)' });
    expectedPrev = row.hash;
    expectedSeq = row.seq + 1;
  }
  return breaks;
}
