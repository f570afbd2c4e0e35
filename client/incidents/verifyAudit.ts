import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Pool } from 'pg';
import { stableStringify, verifyChain } from '../../db/audit/chain';
import { headSignatureProblem } from '../../db/audit/headSignature';
import type { SecretKeys } from '../../lib/secretKeys';
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
 * Verifies an incident's audit: the hash chain (an edited, deleted or reordered row), the anchor on the incidents row
 * (a cut tail), with `keys` the anchor's signature (a chain recomputed and its anchor rewritten: the forger has no
 * key), the row's report columns against the chain, and,
 * when a Temporal client is given, the workflow's own history: every audit write that completed there must be in the
 * store with the same content (kind, actor, time, data), so a rewritten event with a recomputed chain is caught.
 */
export async function verifyIncidentAudit(pool: Pool, incidentId: string, client?: Client, keys?: SecretKeys): Promise<AuditVerdict> {
  const events = await readIncidentEvents(pool, incidentId);
  const problems = verifyChain(events).map((b) => `#${b.seq}: ${b.problem}`);
  const checkedAgainst: string[] = [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));

  const { rows } = await pool.query<IncidentRow>(
    `SELECT workflow_id, event_count, last_hash, head_signature, phase, acknowledged_at, acknowledged_by, resolved_at
     FROM incidents WHERE incident_id = $1`,
    [incidentId],
  );
  const row = rows[0];
  if (row) {
    checkedAgainst.push('the report columns of its incidents row');
    problems.push(...reportColumnProblems(row, events));
  }
  if (row && row.event_count > 0) {
    checkedAgainst.push('the anchor on its incidents row');
    const head = bySeq.get(row.event_count);
    const lastSeq = events.at(-1)?.seq ?? 0;
    if (lastSeq < row.event_count)
      problems.push(`#${lastSeq + 1}..#${row.event_count}: missing at the tail (the incidents row counts ${row.event_count} events)`);
    else if (head && head.hash !== row.last_hash)
      problems.push(`#${row.event_count}: the chain was rewritten (its hash is not the one anchored on the incidents row)`);
    if (keys) {
      // A forger with the store can recompute every hash and the anchor; not the anchor's signature.
      checkedAgainst.push("the anchor's signature (DBOPS_SECRET_KEY)");
      const problem = headSignatureProblem(keys, incidentId, {
        eventCount: row.event_count,
        lastHash: row.last_hash,
        signature: row.head_signature,
      });
      if (problem) problems.push(problem);
    }
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

interface IncidentRow {
  workflow_id: string;
  event_count: number;
  last_hash: string | null;
  head_signature: string | null;
  phase: string;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
}

/**
 * The columns `dbops report` reads (who acknowledged and when, when it was resolved), recomputed from the chain: an
 * edited column changes MTTA and MTTR without touching a single event. Incidents recorded before the action policy
 * counted a resolve as an acknowledgement at the same instant, by the resolver; that still agrees.
 */
function reportColumnProblems(row: IncidentRow, events: StoredEvent[]): string[] {
  const problems: string[] = [];
  const first = (kind: string) => events.find((e) => e.kind === kind);
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  // A reopened incident (its alert fired again after clearing it) is open until a resolve after its last reopen.
  const lastReopen = events.map((e) => e.kind).lastIndexOf('reopened');
  const resolved = events.slice(lastReopen + 1).find((e) => e.kind === 'resolved');
  const acked = first('acknowledged') ?? (resolved && iso(row.acknowledged_at) === resolved.occurredAt ? resolved : undefined);
  const expect = (column: string, stored: string | null, fromChain: string | null) => {
    if (stored !== fromChain)
      problems.push(
        `incidents.${column} is ${stored ?? 'empty'}, but its events say ${fromChain ?? 'empty'} (the row or its events were edited)`,
      );
  };
  expect('acknowledged_at', iso(row.acknowledged_at), acked?.occurredAt ?? null);
  expect('acknowledged_by', row.acknowledged_by, acked?.actor ?? null);
  expect('resolved_at', iso(row.resolved_at), resolved?.occurredAt ?? null);
  if ((row.phase === 'resolved') !== !!resolved) expect('phase', row.phase, resolved ? 'resolved' : 'open');
  return problems;
}

/** Each audit write Temporal recorded, against the store's row: there, of the same kind, by the same actor, at the same time, with the same data. */
function compareWithHistory(stored: Map<number, StoredEvent>, written: Map<number, AuditEvent>): string[] {
  const problems: string[] = [];
  for (const [seq, event] of [...written].sort(([a], [b]) => a - b)) {
    const row = stored.get(seq);
    if (!row) {
      problems.push(`#${seq}: '${event.kind}' at ${event.occurredAt} is in Temporal's history but missing from the audit store`);
      continue;
    }
    if (row.kind !== event.kind) {
      problems.push(`#${seq}: the store says '${row.kind}', Temporal's history '${event.kind}'`);
      continue;
    }
    const differs: string[] = [];
    if ((row.actor ?? null) !== (event.actor ?? null)) differs.push(`actor '${row.actor}' (history: '${event.actor}')`);
    if (Date.parse(row.occurredAt) !== Date.parse(event.occurredAt)) differs.push(`time ${row.occurredAt} (history: ${event.occurredAt})`);
    const data = (row.data ?? {}) as Record<string, unknown>;
    // A row the store refused as sent was written repaired (its data says why): only its kind, actor and time compare.
    if (!('unstorable' in data)) {
      const sent = (event.data ?? {}) as Record<string, unknown>;
      const fields = [...new Set([...Object.keys(data), ...Object.keys(sent)])].filter(
        (k) => stableStringify(data[k]) !== stableStringify(sent[k]),
      );
      if (fields.length) differs.push(`data ${fields.join(', ')}`);
    }
    if (differs.length) problems.push(`#${seq} '${row.kind}': the store's ${differs.join('; ')} differ from what the workflow wrote`);
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
