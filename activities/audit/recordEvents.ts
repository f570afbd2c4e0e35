import type { Pool } from 'pg';
import type { AuditEvent, ChecklistRunSnapshot, IncidentSnapshot } from '../../db/audit/records';
import { writeChecklistEvent, writeIncidentEvent, writeIncidentEvents, type WriteResult } from '../../db/audit/writeEvents';
import type { Logger } from '../../lib/logger';
import type { SecretKeys } from '../../lib/secretKeys';

/** The audit activities: each writes events of a workflow's hash chain, in order and idempotently. */
/** `secretKeys`: each incident's chain head is signed with the current one (the store never holds it). */
export function createAuditActivities(d: { auditPool: Pool; logger: Logger; secretKeys?: SecretKeys }) {
  /** A repaired event is reported: it is in the chain, but not as it was sent. */
  const reported = (stream: string, events: AuditEvent[], result: WriteResult): WriteResult => {
    if (result.repaired) {
      d.logger.error(
        { stream, subject: events[0]?.subjectId, seq: events.map((e) => e.seq), kind: events.map((e) => e.kind), reason: result.repaired },
        'audit event could not be stored as sent; written repaired',
      );
    }
    return result;
  };
  return {
    async recordIncidentEvent(event: AuditEvent, snapshot: IncidentSnapshot): Promise<WriteResult> {
      return reported('incident', [event], await writeIncidentEvent(d.auditPool, event, snapshot, d.secretKeys));
    },
    /** The events one workflow activation (or a write's wait) gathered, in one transaction. */
    async recordIncidentEvents(events: AuditEvent[], snapshot: IncidentSnapshot): Promise<WriteResult> {
      if (!events.length) return { written: false };
      return reported('incident', events, await writeIncidentEvents(d.auditPool, events, snapshot, d.secretKeys));
    },
    async recordChecklistEvent(event: AuditEvent, run: ChecklistRunSnapshot): Promise<WriteResult> {
      return reported('checklist', [event], await writeChecklistEvent(d.auditPool, event, run));
    },
  };
}
