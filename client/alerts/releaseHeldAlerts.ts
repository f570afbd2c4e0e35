import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Pool } from 'pg';
import { recordAlertKey } from '../../db/alerts/alertKeys';
import type { HeldIncident, HeldIncidentReleaser, ReleaseOutcome } from '../../db/maintenance/windows';
import { clipText, TEXT_LIMITS } from '../../runbooks/limits';
import { maintenanceEndedUpdate, triggerSignal, type MaintenanceRelease } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { openIncident, type IncidentRequest, type OpenIncidentContext } from '../incidents/openIncident';

/**
 * When a maintenance window ends, each incident key with alerts still firing opens its incident (paged as any new
 * incident is, its `opened` event naming the window), or, if its incident is open already, re-pages it once (the
 * `maintenanceEnded` Update, whose update id is the occurrence: a retried release never pages twice). An incident of
 * a run older than alert grouping has no such Update: it counts a repeat, as an alert always did.
 */
export function heldIncidentReleaser(ctx: () => OpenIncidentContext, pool: Pool): HeldIncidentReleaser {
  return async (held: HeldIncident, endedAt: number): Promise<ReleaseOutcome> => {
    const { client } = ctx();
    const latest = held.firing[held.firing.length - 1].alert;
    const release: MaintenanceRelease = {
      windowId: held.windowId,
      reason: clipText(held.reason, TEXT_LIMITS.reason),
      from: new Date(held.occurrence.start).toISOString(),
      to: new Date(Math.min(endedAt, held.occurrence.end)).toISOString(),
      alerts: held.count,
      firing: held.firing.length,
    };
    const pointKeys = async (workflowId: string, firstRunId: string) => {
      for (const f of held.firing) await recordAlertKey(pool, f.integration, f.dedupKey, { workflowId, firstRunId });
    };
    const handle = client.workflow.getHandle<typeof incidentResponse>(held.incidentKey);
    let running: { firstRunId: string } | undefined;
    try {
      const d = await handle.describe();
      if (d.status.name === 'RUNNING') running = { firstRunId: d.raw.workflowExecutionInfo?.firstRunId ?? d.runId };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (running) {
      try {
        await handle.executeUpdate(maintenanceEndedUpdate, { args: [release], updateId: `maintenance-end:${held.occurrenceId}` });
        await pointKeys(held.incidentKey, running.firstRunId);
        return { outcome: 're-paged', workflowId: held.incidentKey };
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        // Resolved meanwhile: a new incident opens below. A run older than alert grouping has no such Update
        // ("No registered handler"): the alert counts a repeat there, as it always did.
        if (!/already resolved/.test(err.cause?.message ?? '')) {
          await handle.signal(triggerSignal, {
            source: 'webhook',
            by: latest.by,
            summary: `still firing after maintenance window ${held.windowId}`,
          });
          return { outcome: 'repeated', workflowId: held.incidentKey };
        }
      }
    }
    const request = {
      type: latest.type,
      tier: latest.tier,
      severity: latest.severity,
      fingerprint: latest.fingerprint,
      title: latest.title,
      summary: clipText(
        `${latest.summary ?? latest.title ?? ''} — held by maintenance window ${held.windowId} (${held.reason}); still firing at its end`,
        TEXT_LIMITS.summary,
      ),
      source: 'webhook',
      by: latest.by,
      firedAt: latest.firedAt,
    } as IncidentRequest;
    const { workflowId, handle: opened } = await openIncident(ctx(), request, undefined, { heldBy: release });
    const firstRunId = (await opened.describe()).raw.workflowExecutionInfo?.firstRunId ?? opened.signaledRunId;
    await pointKeys(workflowId, firstRunId);
    return { outcome: 'opened', workflowId };
  };
}
