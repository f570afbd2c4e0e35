import type { Pool } from 'pg';
import type { ChainedFields } from '../activities/auditChain';

export interface StoredEvent extends ChainedFields {
  prevHash: string;
  hash: string;
  actor: string | null;
}

/** An incident's events in order, as the audit store holds them. */
export async function readIncidentEvents(pool: Pool, incidentId: string): Promise<StoredEvent[]> {
  const { rows } = await pool.query(
    `SELECT event_id, incident_id, seq, kind, actor, occurred_at, data, prev_hash, hash
     FROM incident_events WHERE incident_id = $1 ORDER BY seq`,
    [incidentId],
  );
  return rows.map((r) => ({
    eventId: r.event_id,
    subjectId: r.incident_id,
    seq: r.seq,
    kind: r.kind,
    actor: r.actor,
    occurredAt: new Date(r.occurred_at).toISOString(),
    data: r.data,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
