import type { Pool } from 'pg';
import type { Logger } from '../lib/logger';
import type { TierPools } from '../lib/tierPools';
import type { Runbook } from '../runbooks/runbook';
import type { RosterInForce } from '../lib/rosterInForce';
import type { SecretKeys } from '../lib/secretKeys';
import type { SchedulesInForce } from '../lib/schedules';
import type { Override } from '../runbooks/onCall';
import type { Role } from '../runbooks/types';
import { createAuditActivities } from './audit/recordEvents';
import { createChecklistActivities, type IncidentOpener } from './checks/checklistChecks';
import type { Thresholds } from './checks/databaseChecks';
import { createStepActivities } from './checks/incidentSteps';
import { createMaintenanceActivities, type HeldIncidentReleaser } from './maintenance/maintenanceActivities';
import type { NotificationChannel } from './notify/channels';
import type { Outbox } from './notify/outbox';
import { createNotifyActivities } from './notify/notifyActivity';
import { createHandoffActivities } from './oncall/handoffActivities';
import { createDrillActivities, type DrillOpener } from './drills/drillActivities';

export interface ActivityDependencies {
  auditPool: Pool;
  tierPools: TierPools;
  channels: NotificationChannel[];
  /** The notification outbox on auditPool and channels (createOutbox); the worker's flusher uses the same one. */
  outbox: Outbox;
  logger: Logger;
  adminStatusUrl?: string;
  failover: { command?: string; url?: string };
  thresholds: Thresholds;
  allowedCidrs: string[];
  allowedSuperusers?: string[];
  /** Opens or joins an incident (a Temporal client call); checklists use it for breached thresholds. */
  openIncident: IncidentOpener;
  backupCheckCommand?: string;
  /** The roster file as it is now (lib/rosterInForce): pages go to who holds the rung's roles when they are sent. */
  currentRoster?: () => RosterInForce;
  /** The on-call schedules in force (lib/schedules): pages go to who holds the role by them, else by the roster. */
  currentSchedules?: () => SchedulesInForce;
  /** The overrides of some roles not over at an instant (activities/notify/overridesInForce.ts). */
  overridesAt?: (roles: readonly Role[], at: number) => Promise<Override[]>;
  /** Keys the audit store never holds (DBOPS_SECRET_KEY): each incident's chain head is signed with the current one. */
  secretKeys?: SecretKeys;
  /** Opens (or re-pages) the incidents of alerts a maintenance window held, when it ends (a Temporal client call). */
  releaseHeldIncident?: HeldIncidentReleaser;
  /** Opens a drill (a Temporal client call): the monthly drill Schedule's workflow uses it (docs/drills.md). */
  openDrill?: DrillOpener;
  /** The runbook in force (lib/runbookFile.ts; the built-in one when absent). */
  runbook?: () => Runbook;
}

/** Every side effect dbops has, built from its dependencies so tests hand in real or local ones. */
export function createActivities(d: ActivityDependencies) {
  return {
    ...createAuditActivities(d),
    ...createNotifyActivities(d),
    ...createStepActivities(d),
    ...createChecklistActivities(d),
    ...createMaintenanceActivities(d),
    ...createHandoffActivities(d),
    ...createDrillActivities(d),
  };
}

export type DbopsActivities = ReturnType<typeof createActivities>;
