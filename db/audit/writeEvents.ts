import type { SecretKeys } from '../../lib/secretKeys';
import { signHead } from './headSignature';
import { ApplicationFailure } from '@temporalio/activity';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../transaction';
import { eventHash, GENESIS_HASH } from './chain';
import { toStorableJson, toStorableText } from '../../runbooks/limits';
import type { AuditEvent, ChecklistRunSnapshot, IncidentSnapshot } from './records';
import { nextDeadlineColumns } from './incidentRow';

/** The two audited streams: each has its own event table, keyed by its subject, and a row per subject. */
export const STREAMS = {
  incident: { table: 'incident_events', subject: 'incident_id', subjects: 'incidents' },
  checklist: { table: 'checklist_events', subject: 'run_id', subjects: 'checklist_runs' },
} as const;
export type Stream = keyof typeof STREAMS;

export const eventIdOf = (subjectId: string, seq: number) => `${subjectId}#${seq}`;

export interface WriteResult {
  written: boolean;
  /** The event's hash: the workflow keeps the head of its chain as an anchor the store cannot rewrite. */
  hash?: string;
  /** Set when the event could not be stored as sent and was written repaired (see repairEvent). */
  repaired?: string;
}

/**
 * Writes a subject's row and some of its events, in sequence order, in one transaction, and moves the subject's
 * anchor (event count, last hash) with them. Idempotent: an event's id is derived from the subject and sequence
 * number, so a retried attempt finds its rows and writes nothing again. An event PostgreSQL refuses for its content
 * (a data exception, class 22, or a size limit, class 54) would fail forever and stall the chain behind it: it is
 * written repaired instead.
 */
async function writeEvents<S>(
  pool: Pool,
  stream: Stream,
  events: AuditEvent[],
  snapshot: S,
  upsertSubject: (c: PoolClient, s: S) => Promise<unknown>,
  keys?: SecretKeys,
): Promise<WriteResult> {
  try {
    return await writeEventsOnce(pool, stream, events, snapshot, upsertSubject, keys);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('22') && !code.startsWith('54')) throw err;
    if (events.length > 1) {
      // Which one the store refused is not said: each is written on its own, and only the refused one repaired.
      let result: WriteResult = { written: false };
      const repaired: string[] = [];
      for (const event of events) {
        result = await writeEvents(pool, stream, [event], snapshot, upsertSubject, keys);
        if (result.repaired) repaired.push(`#${event.seq}: ${result.repaired}`);
      }
      return { ...result, ...(repaired.length && { repaired: repaired.join('; ') }) };
    }
    const reason = `${code}: ${(err as Error).message}`;
    const repaired = repairEvent(events[0], reason);
    const result = await writeEventsOnce(pool, stream, [repaired], toStorableJson(snapshot) as S, upsertSubject, keys);
    return { ...result, repaired: reason };
  }
}

/** The event as the store can hold it: strings made storable, and the repair named inside the hashed data. */
export function repairEvent(event: AuditEvent, reason: string): AuditEvent {
  let data = toStorableJson(event.data) as Record<string, unknown>;
  if (JSON.stringify(data).length > MAX_REPAIRED_DATA) data = { truncated: true };
  return {
    ...event,
    kind: toStorableText(event.kind, 64),
    actor: event.actor === undefined ? undefined : toStorableText(event.actor, 64),
    data: { ...data, unstorable: reason },
  };
}

const MAX_REPAIRED_DATA = 64 * 1024;

function writeEventsOnce<S>(
  pool: Pool,
  stream: Stream,
  events: AuditEvent[],
  snapshot: S,
  upsertSubject: (c: PoolClient, s: S) => Promise<unknown>,
  keys?: SecretKeys,
) {
  const { table, subject, subjects } = STREAMS[stream];
  return withTransaction(pool, async (client): Promise<WriteResult> => {
    await upsertSubject(client, snapshot);
    let result: WriteResult = { written: false };
    for (const event of events) {
      const eventId = eventIdOf(event.subjectId, event.seq);
      const exists = await client.query<{ hash: string }>(`SELECT hash FROM ${table} WHERE event_id = $1`, [eventId]);
      if (exists.rowCount) {
        result = { written: result.written, hash: exists.rows[0].hash };
        continue;
      }
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
        [
          eventId,
          event.subjectId,
          event.seq,
          event.kind,
          event.actor ?? null,
          event.occurredAt,
          JSON.stringify(event.data),
          prevHash,
          hash,
        ],
      );
      result = { written: true, hash };
    }
    const last = events[events.length - 1];
    if (result.written) {
      await client.query(`UPDATE ${subjects} SET event_count = $2, last_hash = $3 WHERE ${subject} = $1 AND event_count < $2`, [
        last.subjectId,
        last.seq,
        result.hash,
      ]);
      if (stream === 'incident' && keys)
        await client.query(`UPDATE incidents SET head_signature = $3 WHERE incident_id = $1 AND event_count = $2`, [
          last.subjectId,
          last.seq,
          signHead(keys, last.subjectId, last.seq, result.hash!),
        ]);
    }
    return result;
  });
}

/** An incident event, with the incidents row refreshed from the workflow's snapshot. */
export function writeIncidentEvent(pool: Pool, event: AuditEvent, snap: IncidentSnapshot, keys?: SecretKeys) {
  return writeIncidentEvents(pool, [event], snap, keys);
}

/**
 * Incident events in sequence order, in one transaction, with the incidents row refreshed from the workflow's snapshot.
 * With `keys`, the new chain head is signed (headSignature.ts).
 */
export function writeIncidentEvents(pool: Pool, events: AuditEvent[], snap: IncidentSnapshot, keys?: SecretKeys) {
  return writeEvents(
    pool,
    'incident',
    events,
    snap,
    async (c, snap) => {
      await c.query(
        `INSERT INTO incidents (incident_id, workflow_id, type, severity, tier, fingerprint, title, phase, runbook_version, opened_at,
         acknowledged_at, acknowledged_by, resolved_at, resolution, trigger_count, escalation_level, drill, next_deadline, next_deadline_at,
         updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19, now())
       ON CONFLICT (incident_id) DO UPDATE SET severity = EXCLUDED.severity, phase = EXCLUDED.phase,
         acknowledged_at = EXCLUDED.acknowledged_at, acknowledged_by = EXCLUDED.acknowledged_by, resolved_at = EXCLUDED.resolved_at,
         resolution = EXCLUDED.resolution, trigger_count = EXCLUDED.trigger_count, escalation_level = EXCLUDED.escalation_level,
         next_deadline = EXCLUDED.next_deadline, next_deadline_at = EXCLUDED.next_deadline_at, updated_at = now()`,
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
          snap.drill === true,
          ...nextDeadlineColumns(snap),
        ],
      );
      if (snap.drill) await upsertDrill(c, snap);
    },
    keys,
  );
}

/** A drill's row (migration 017): its runbook was tested when it opened; who acknowledged it, and how long that took. */
function upsertDrill(c: PoolClient, snap: IncidentSnapshot) {
  return c.query(
    `INSERT INTO drills (incident_id, type, tier, opened_at, acknowledged_by, acknowledged_at, ack_seconds, resolved_at)
     VALUES ($1, $2, $3, $4, $5, $6, extract(epoch FROM $6::timestamptz - $4::timestamptz), $7)
     ON CONFLICT (incident_id) DO UPDATE SET acknowledged_by = EXCLUDED.acknowledged_by, acknowledged_at = EXCLUDED.acknowledged_at,
       ack_seconds = EXCLUDED.ack_seconds, resolved_at = EXCLUDED.resolved_at`,
    [
      snap.incidentId,
      snap.type,
      snap.tier,
      snap.openedAt,
      snap.acknowledgedBy ?? null,
      snap.acknowledgedAt ?? null,
      snap.resolvedAt ?? null,
    ],
  );
}

/** A checklist event, with the checklist_runs row refreshed from the workflow's snapshot. */
export function writeChecklistEvent(pool: Pool, event: AuditEvent, run: ChecklistRunSnapshot) {
  return writeEvents(pool, 'checklist', [event], run, (c, run) =>
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
