import type { Pool } from 'pg';
import type { ChainedFields } from './chain';
import { STREAMS, type Stream } from './writeEvents';

export interface StoredEvent extends ChainedFields {
  prevHash: string;
  hash: string;
  actor: string | null;
}

/** An incident's or checklist run's events in order, as the audit store holds them. */
export async function readEvents(pool: Pool, stream: Stream, subjectId: string): Promise<StoredEvent[]> {
  const { table, subject } = STREAMS[stream];
  const { rows } = await pool.query(
    `SELECT event_id, ${subject} AS subject_id, seq, kind, actor, occurred_at, data, prev_hash, hash
     FROM ${table} WHERE ${subject} = $1 ORDER BY seq`,
    [subjectId],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    subjectId: r.subject_id,
    seq: r.seq,
    kind: r.kind,
    actor: r.actor,
    occurredAt: new Date(r.occurred_at).toISOString(),
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}

export const readIncidentEvents = (pool: Pool, incidentId: string) => readEvents(pool, 'incident', incidentId);
