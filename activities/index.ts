import type { Pool } from 'pg';
import type { Logger } from '../lib/logger';
import type { Tier } from '../runbooks/types';
import { writeIncidentEvent } from './audit';
import type { Thresholds } from './databaseChecks';
import { createStepActivities } from './incidentSteps';
import { sendNotification, type NotificationChannel } from './notifier';
import type { AuditEvent, IncidentSnapshot, NotificationRequest } from './types';

export interface ActivityDependencies {
  auditPool: Pool;
  tierPools: Record<Tier, Pool>;
  channels: NotificationChannel[];
  logger: Logger;
  adminStatusUrl?: string;
  failover: { command?: string; url?: string };
  thresholds: Thresholds;
  allowedCidrs: string[];
}

/** Every side effect dbops has, built from its dependencies so tests hand in real or local ones. */
export function createActivities(d: ActivityDependencies) {
  return {
    async recordIncidentEvent(event: AuditEvent, snapshot: IncidentSnapshot): Promise<void> {
      await writeIncidentEvent(d.auditPool, event, snapshot);
    },
    async notify(n: NotificationRequest) {
      return sendNotification(d.auditPool, d.channels, n);
    },
    ...createStepActivities(d),
  };
}

export type DbopsActivities = ReturnType<typeof createActivities>;
