import { ApplicationFailure } from '@temporalio/activity';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../transaction';
import { eventHash, GENESIS_HASH } from './chain';
import type { AuditEvent, ChecklistRunSnapshot, IncidentSnapshot } from './records';

/** The two audited streams: each has its own event table, keyed by its subject. */
export const STREAMS = {
  incident: { table: 'incident_events', subject: 'incident_id' },
  checklist: { table: 'checklist_events', subject: 'run_id' },
} as const;
export type Stream = keyof typeof STREAMS;

export const eventIdOf = (subjectId: string, seq: number) => `${subjectId}#${seq}`;

/**
 * Writes a subject's row and one of its events in one transaction. Idempotent: the event id is derived from the
 * subject and sequence number, so a retried attempt finds its row and writes nothing.
 */
function writeEvent(pool: Pool, stream: Stream, event: AuditEvent, upsertSubject: (c: PoolClient) => Promise<unknown>) {
  const { table, subject } = STREAMS[stream];
  const eventId = eventIdOf(event.subjectId, event.seq);
  return withTransaction(pool, async (client) => {
    await upsertSubject(client);
    const exists = await client.query(`SELECT 1 FROM ${table} WHERE event_id = $1`, [eventId]);
    if (exists.rowCount) return { written: false };
    const prev = await client.query<{ hash: string }>(`SELECT hash FROM ${table} WHERE ${subject} = $1 AND seq = $2`, [
      event.subjectId,
      event.seq - 1,
    ]);
    if (event.seq > 1 && !prev.rowCount) {
      // Events are written in order; a gap means the previous write has not landed yet. Retry later.
      throw ApplicationFailure.retryable(`event ${event.seq - 1} of ${event.subjectId} is not written yet`, 'AuditGap');
    }
    const prevHash = prev.rows[0]?.hash ?? GENESIS_HASH;
    const hash = eventHash(prevHash, { ...event, eventId });
    await client.query(
      `INSERT INTO ${table} (event_id, ${subject}, seq, kind, actor, occurred_at, data, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (event_id) DO NOTHING`,
      [eventId, event.subjectId, event.seq, event.kind, event.actor ?? null, event.occurredAt, JSON.stringify(event.data), prevHash, hash],
    );
    return { written: true };
  });
}

/** An incident event, with the incidents row refreshed from the workflow's snapshot. */
export function writeIncidentEvent(pool: Pool, event: AuditEvent, snap: IncidentSnapshot) {
  return writeEvent(pool, 'incident', event, (c) =>
    c.query(
      `INSERT INTO incidents (incident_id, workflow_id, type, severity, tier, fingerprint, title, phase, runbook_version, opened_at,
         acknowledged_at, acknowledged_by, resolved_at, resolution, trigger_count, escalation_level, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16, now())
       ON CONFLICT (incident_id) DO UPDATE SET severity = EXCLUDED.severity, phase = EXCLUDED.phase,
         acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by, resolved_at = EXCLUDED.resolved_at,
         resolution = EXCLUDED.resolution, trigger_count = EXCLUDED.trigger_count, escalation_level = EXCLUDED.escalation_level, updated_at = now()`,
      [
        snap.incidentId,
        snap.workflowId,
        snap.type,
        snap.severity,
        snap.tier,
        snap.fingerprint,
        snap.title,
        snap.phase,
        snap.runbookVersion,
        snap.openedAt,
        snap.acknowledgedAt ?? null,
        snap.acknowledgedBy ?? null,
        snap.resolvedAt ?? null,
        snap.resolution ?? null,
        Math.max(snap.triggerCount, 1),
        snap.escalationLevel,
      ],
    ),
  );
}

/** A checklist event, with the checklist_runs row refreshed from the workflow's snapshot. */
export function writeChecklistEvent(pool: Pool, event: AuditEvent, run: ChecklistRunSnapshot) {
  return writeEvent(pool, 'checklist', event, (c) =>
    c.query(
      `INSERT INTO checklist_runs (run_id, checklist_id, name, runbook_version, status, started_at, finished_at, pass_count, warn_count, fail_count, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10, now())
       ON CONFLICT (run_id) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, pass_count = EXCLUDED.pass_count,
         warn_count = EXCLUDED.warn_count, fail_count = EXCLUDED.fail_count, updated_at = now()`,
      [
        run.runId,
        run.checklistId,
        run.name,
        run.runbookVersion,
        run.status,
        run.startedAt,
        run.finishedAt ?? null,
        run.counts.pass,
        run.counts.warn,
        run.counts.fail,
      ],
    ),
  );
}
