import type { Pool } from 'pg';
import type { AuditEvent, ChecklistRunSnapshot, IncidentSnapshot } from '../../db/audit/records';
import { writeChecklistEvent, writeIncidentEvent, type WriteResult } from '../../db/audit/writeEvents';
import type { Logger } from '../../lib/logger';

/** The audit activities: each writes one event of a workflow's hash chain, idempotently. */
export function createAuditActivities(d: { auditPool: Pool; logger: Logger }) {
  /** A repaired event is reported: it is in the chain, but not as it was sent. */
  const reported = (stream: string, event: AuditEvent, result: WriteResult): WriteResult => {
    if (result.repaired) {
      d.logger.error(
        { stream, subject: event.subjectId, seq: event.seq, kind: event.kind, reason: result.repaired },
        'audit event could not be stored as sent; written repaired',
      );
    }
    return result;
  };
  return {
    async recordIncidentEvent(event: AuditEvent, snapshot: IncidentSnapshot): Promise<WriteResult> {
      return reported('incident', event, await writeIncidentEvent(d.auditPool, event, snapshot));
    },
    async recordChecklistEvent(event: AuditEvent, run: ChecklistRunSnapshot): Promise<WriteResult> {
      return reported('checklist', event, await writeChecklistEvent(d.auditPool, event, run));
    },
  };
}
