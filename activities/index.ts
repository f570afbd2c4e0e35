import type { Pool } from 'pg';
import type { Logger } from '../lib/logger';
import type { Tier } from '../runbooks/types';
import { writeChecklistEvent, writeIncidentEvent } from './audit';
import { createChecklistActivities, type IncidentOpener } from './checklistChecks';
import type { Thresholds } from './databaseChecks';
import { createStepActivities } from './incidentSteps';
import { sendNotification, type NotificationChannel } from './notifier';
import type { AuditEvent, ChecklistRunSnapshot, IncidentSnapshot, NotificationRequest } from './types';

export interface ActivityDependencies {
  auditPool: Pool;
  tierPools: Record<Tier, Pool>;
  channels: NotificationChannel[];
  logger: Logger;
  adminStatusUrl?: string;
  failover: { command?: string; url?: string };
  thresholds: Thresholds;
  allowedCidrs: string[];
  allowedSuperusers?: string[];
  /** Opens or joins an incident (a Temporal client call); checklists use it for breached thresholds. */
  openIncident: IncidentOpener;
  backupCheckCommand?: string;
}

/** Every side effect dbops has, built from its dependencies so tests hand in real or local ones. */
export function createActivities(d: ActivityDependencies) {
  return {
    async recordIncidentEvent(event: AuditEvent, snapshot: IncidentSnapshot): Promise<void> {
      await writeIncidentEvent(d.auditPool, event, snapshot);
    },
    async recordChecklistEvent(event: AuditEvent, run: ChecklistRunSnapshot): Promise<void> {
      await writeChecklistEvent(d.auditPool, event, run);
    },
    async notify(n: NotificationRequest) {
      return sendNotification(d.auditPool, d.channels, n);
    },
    ...createStepActivities(d),
    ...createChecklistActivities(d),
  };
}

export type DbopsActivities = ReturnType<typeof createActivities>;
