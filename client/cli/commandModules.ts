/**
 * What the CLI's commands need and `dbops --help` does not: the Temporal client, pg, zod-validated config and the
 * workflows' message definitions take most of a second to load on 2 cores, so main.ts loads this only when a
 * command runs (its preAction hook).
 */
export { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
export { Pool } from 'pg';
export { loadCatalog } from '../../lib/catalog';
export { loadConfig } from '../../lib/config';
export { registerSearchAttributes } from '../temporal/registerSearchAttributes';
export { loadRoster } from '../../lib/roster';
export { verifyIncidentAudit } from '../incidents/verifyAudit';
export { SA_KIND, SA_PHASE, SA_SEVERITY, SA_TIER, SA_TYPE } from '../../workflows/shared/searchAttributes';
export {
  acknowledgeUpdate,
  addNoteUpdate,
  approveStepUpdate,
  changeSeverityUpdate,
  completeStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  rejectStepUpdate,
  resolveUpdate,
} from '../../workflows/incident/messages';
export { readIncidentEvents } from '../../db/audit/readEvents';
export { InvalidRequestError, openIncident, parseIncidentRequest } from '../incidents/openIncident';
export { slaReport } from '../../db/reports/slaReport';
export { startChecklist } from '../checklists/startChecklist';
export { applySchedules, listSchedules, scheduleIdOf, setPaused } from '../checklists/schedules';
export { reportTable } from '../../db/reports/checklistReport';
export { checklistStateQuery, signOffUpdate } from '../../workflows/checklist/messages';
export { findIncident, IncidentRefError, incidentHandle, isIncidentId, newerIncidentOnKey } from './incidentRef';
