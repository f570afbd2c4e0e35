import type { Pool } from 'pg';
import {
  activateOccurrence,
  markReleased,
  recordRelease,
  releaseOccurrences,
  type HeldIncidentReleaser,
} from '../../db/maintenance/windows';

export type { HeldIncidentReleaser } from '../../db/maintenance/windows';
import type { Logger } from '../../lib/logger';
import type { Occurrence } from '../../runbooks/maintenance';

export interface MaintenanceDependencies {
  auditPool: Pool;
  logger: Logger;
  releaseHeldIncident?: HeldIncidentReleaser;
}

/** The maintenance window workflow's side effects: activating an occurrence, releasing what it held. */
export function createMaintenanceActivities(d: MaintenanceDependencies) {
  return {
    async activateMaintenanceOccurrence(a: { windowId: string; occurrence: Occurrence; at: number }): Promise<boolean> {
      return activateOccurrence(d.auditPool, a.windowId, a.occurrence, a.at);
    },

    /**
     * Releases the window's active occurrences (`at`: the workflow's now). Each incident key still firing opens or
     * re-pages its incident, then is marked done; a retry after a worker died does only the keys not yet marked (at
     * worst one more repeat counted on an incident already open, never a second page: the re-page has an update id).
     */
    async releaseMaintenanceOccurrences(a: { windowId: string; at: number; early: boolean }) {
      const held = await releaseOccurrences(d.auditPool, a.windowId, a.at, a.at);
      const results: { incidentKey: string; outcome: string; workflowId?: string; alerts: number }[] = [];
      for (const h of held) {
        if (!h.firing.length) {
          await markReleased(d.auditPool, h, 'resolved-in-window');
          results.push({ incidentKey: h.incidentKey, outcome: 'resolved-in-window', alerts: h.count });
          continue;
        }
        if (!d.releaseHeldIncident) throw new Error('the worker was built without a releaser of held alerts');
        const released = await d.releaseHeldIncident(h, a.at);
        await markReleased(d.auditPool, h, released.outcome, released.workflowId);
        results.push({ incidentKey: h.incidentKey, outcome: released.outcome, workflowId: released.workflowId, alerts: h.count });
      }
      if (held.length || a.early)
        await recordRelease(d.auditPool, a.windowId, { at: new Date(a.at).toISOString(), early: a.early, incidents: results });
      d.logger.info({ windowId: a.windowId, keys: results.length, early: a.early }, 'maintenance window released');
      return results;
    },
  };
}
