import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import { eventHash, GENESIS_HASH } from './auditChain';
import type { AuditEvent, IncidentSnapshot } from './types';

export const incidentEventId = (incidentId: string, seq: number) => `${incidentId}#${seq}`;

/**
 * Writes one incident event and refreshes the incident's row, in one transaction. Idempotent: the event id is
 * derived from the incident and sequence number, so a retried attempt finds its row and writes nothing.
 */
export async function writeIncidentEvent(pool: Pool, event: AuditEvent, snap: IncidentSnapshot): Promise<{ written: boolean }> {
  const eventId = incidentEventId(event.subjectId, event.seq);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO incidents (incident_id, workflow_id, type, severity, tier, fingerprint, title, phase, runbook_version, opened_at,
         acknowledged_at, acknowledged_by, resolved_at, resolution, trigger_count, escalation_level, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16, now())
       ON CONFLICT (incident_id) DO UPDATE SET severity = EXCLUDED.severity, phase = EXCLUDED.phase,
         acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by, resolved_at = EXCLUDED.resolved_at,
         resolution = EXCLUDED.resolution, trigger_count = EXCLUDED.trigger_count, escalation_level = EXCLUDED.escalation_level, updated_at = now()`,
      [
        snap.incidentId, snap.workflowId, snap.type, snap.severity, snap.tier, snap.fingerprint, snap.title, snap.phase, snap.runbookVersion,
        snap.openedAt, snap.acknowledgedAt ?? null, snap.acknowledgedBy ?? null, snap.resolvedAt ?? null, snap.resolution ?? null,
        Math.max(snap.triggerCount, 1), snap.escalationLevel,
      ],
    );
    const exists = await client.query('SELECT 1 FROM incident_events WHERE event_id = $1', [eventId]);
    if (exists.rowCount) {
      await client.query('COMMIT');
      return { written: false };
    }
    const prev = await client.query<{ hash: string }>('SELECT hash FROM incident_events WHERE incident_id = $1 AND seq = $2', [event.subjectId, event.seq - 1]);
    if (event.seq > 1 && !prev.rowCount) {
      // The workflow writes in order; a gap means the previous write has not landed yet. Retry later.
      throw ApplicationFailure.retryable(`event ${event.seq - 1} of ${event.subjectId} is not written yet`, 'AuditGap');
    }
    const prevHash = prev.rows[0]?.hash ?? GENESIS_HASH;
    const hash = eventHash(prevHash, { ...event, eventId });
    await client.query(
      `INSERT INTO incident_events (event_id, incident_id, seq, kind, actor, occurred_at, data, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (event_id) DO NOTHING`,
      [eventId, event.subjectId, event.seq, event.kind, event.actor ?? null, event.occurredAt, JSON.stringify(event.data), prevHash, hash],
    );
    await client.query('COMMIT');
    return { written: true };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
