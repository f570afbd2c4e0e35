import { defineSignal } from '@temporalio/workflow';
import type { WindowTiming } from '../../runbooks/maintenance';

/** Shared by the maintenance window workflow and its clients. */

export interface MaintenanceWindowInput {
  windowId: string;
  timing: WindowTiming;
  /** Occurrences ending at or before this instant are done (carried across continue-as-new). */
  after?: number;
}

/** A person ended the window early (the API has marked it ended in the audit store first). */
export const endMaintenanceSignal = defineSignal('endMaintenance');

export const maintenanceWorkflowId = (windowId: string) => `maintenance/${windowId}`;
