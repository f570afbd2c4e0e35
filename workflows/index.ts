/** The workflows the worker registers. Deterministic code only: no Node built-ins, pg, pino or activity code. */
export { incidentResponse } from './incident/incidentResponse';
export { dailyChecklist } from './checklist/dailyChecklist';
export { maintenanceWindow } from './maintenance/maintenanceWindow';
export { onCallHandoffs } from './oncall/onCallHandoffs';
export { scheduledDrill } from './drill/scheduledDrill';
