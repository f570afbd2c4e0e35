import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Pool } from 'pg';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents, type StoredEvent } from '../../db/audit/readEvents';
import type { AuditEvent } from '../../db/audit/records';

export interface AuditVerdict {
  incidentId: string;
  events: number;
  /** Each problem names the event (#seq) and what is wrong with it; empty when the audit is whole. */
  problems: string[];
  /** What the store was checked against, beyond its own chain. */
  checkedAgainst: string[];
}

/**
 * Verifies an incident's audit three ways: the hash chain (an edited, deleted or reordered row), the anchor on the
 * incidents row (a cut tail, or a chain recomputed after a deletion), and, when a Temporal client is given, the
 * workflow's own history: every audit write that completed there must be in the store, with the same kind.
 */
export async function verifyIncidentAudit(pool: Pool, incidentId: string, client?: Client): Promise<AuditVerdict> {
  const events = await readIncidentEvents(pool, incidentId);
  const problems = verifyChain(events).map((b) => `#${b.seq}: ${b.problem}`);
  const checkedAgainst: string[] = [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));

  const { rows } = await pool.query<{ workflow_id: string; event_count: number; last_hash: string | null }>(
    'SELECT workflow_id, event_count, last_hash FROM incidents WHERE incident_id = $1',
    [incidentId],
  );
  const row = rows[0];
  if (row && row.event_count > 0) {
    checkedAgainst.push('the anchor on its incidents row');
    const head = bySeq.get(row.event_count);
    const lastSeq = events.at(-1)?.seq ?? 0;
    if (lastSeq < row.event_count)
      problems.push(`#${lastSeq + 1}..#${row.event_count}: missing at the tail (the incidents row counts ${row.event_count} events)`);
    else if (head && head.hash !== row.last_hash)
      problems.push(`#${row.event_count}: the chain was rewritten (its hash is not the one anchored on the incidents row)`);
  }

  if (client && row) {
    const written = await writesInHistory(client, row.workflow_id, incidentId);
    if (written) {
      checkedAgainst.push("the workflow's history in Temporal");
      problems.push(...compareWithHistory(bySeq, written));
    }
  }
  return { incidentId, events: events.length, problems, checkedAgainst };
}

function compareWithHistory(stored: Map<number, StoredEvent>, written: Map<number, AuditEvent>): string[] {
  const problems: string[] = [];
  for (const [seq, event] of [...written].sort(([a], [b]) => a - b)) {
    const row = stored.get(seq);
    if (!row) problems.push(`#${seq}: '${event.kind}' at ${event.occurredAt} is in Temporal's history but missing from the audit store`);
    else if (row.kind !== event.kind) problems.push(`#${seq}: the store says '${row.kind}', Temporal's history '${event.kind}'`);
  }
  return problems;
}

/**
 * The audit events whose write activity completed, from every run of the incident's workflow that Temporal still
 * holds (continue-as-new makes several); undefined when none is retained. A later incident on the same key shares
 * the workflow id, so events are matched on the incident id they carry.
 */
async function writesInHistory(client: Client, workflowId: string, incidentId: string): Promise<Map<number, AuditEvent> | undefined> {
  const written = new Map<number, AuditEvent>();
  let runs = 0;
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
    runs++;
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const scheduled = new Map<string, AuditEvent[]>();
    for (const e of history.events ?? []) {
      const attrs = e.activityTaskScheduledEventAttributes;
      const name = attrs?.activityType?.name;
      if (name === 'recordIncidentEvent' || name === 'recordIncidentEvents') {
        const [first] = (attrs!.input?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p)) as [AuditEvent | AuditEvent[]];
        // One event, or (from the audit-in-batches version on) the events of one write.
        const events = (Array.isArray(first) ? first : [first]).filter((event) => event?.subjectId === incidentId);
        if (events.length) scheduled.set(String(e.eventId), events);
      }
      const done = e.activityTaskCompletedEventAttributes;
      for (const event of (done && scheduled.get(String(done.scheduledEventId))) || []) written.set(event.seq, event);
    }
  }
  return runs ? written : undefined;
}
