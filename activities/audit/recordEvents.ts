import type { Pool } from 'pg';
import type { AuditEvent, ChecklistRunSnapshot, IncidentSnapshot } from '../../db/audit/records';
import { writeChecklistEvent, writeIncidentEvent } from '../../db/audit/writeEvents';

/** The audit activities: each writes one event of a workflow's hash chain, idempotently. */
export function createAuditActivities(d: { auditPool: Pool }) {
  return {
    async recordIncidentEvent(event: AuditEvent, snapshot: IncidentSnapshot): Promise<void> {
      await writeIncidentEvent(d.auditPool, event, snapshot);
    },
    async recordChecklistEvent(event: AuditEvent, run: ChecklistRunSnapshot): Promise<void> {
      await writeChecklistEvent(d.auditPool, event, run);
    },
  };
}
