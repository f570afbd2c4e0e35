import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { FlapSettings } from '../../runbooks/alertLifecycle';
import type { Roster } from '../../runbooks/roster';
import { runbookNow, type Runbook } from '../../runbooks/runbook';
import { topologyOf } from '../../runbooks/topology';
import type { BusinessCalendar } from '../../runbooks/types';
import { incidentWorkflowId } from '../../workflows/incident/messages';
import { parseIncidentRequest, type IncidentRequest } from '../incidents/incidentRequest';
import { openIncident } from '../incidents/openIncident';
import { holdIfInMaintenance, type HeldBy } from './maintenanceHold';
import { groupIntoCause, recordForGrouping, type GroupedInto } from './topologyGrouping';

/** What admitting an alert needs: Temporal, the store (windows, outages) and the plan's inputs. */
export interface AdmitContext {
  client: Client;
  taskQueue: string;
  pool: Pool;
  roster: Roster;
  calendar: BusinessCalendar;
  continueAsNewAfterEvents?: number;
  /** The runbook in force: the types and tiers an alert may ask for, and the plan it opens with. */
  runbook?: () => Runbook;
}

/** A firing alert, routed: the incident it asks for, and what it is at its source. */
export interface AlertToAdmit {
  integration: string;
  /** The alert's key at its source: a maintenance window holds it under this key, and its source's resolve finds it. */
  dedupKey: string;
  labels: Record<string, string>;
  /** The incident it asks for (by: the integration). */
  request: IncidentRequest;
  /** The routing rule's hold and reopen window (flapping), over the type's. */
  flap?: FlapSettings;
}

/** Where the alert went: held by a window, joined to its cause's incident, or opened (repeated) its own. */
export type Admitted =
  | { outcome: 'held'; workflowId: string; heldBy: HeldBy }
  | { outcome: 'grouped'; workflowId: string; groupedInto: GroupedInto }
  | {
      outcome: 'opened';
      workflowId: string;
      /** The run the alert's signal reached (its incident's first, unless it had continued as new). */
      runId: string;
      /** The run that began the incident's chain: asked of the server, once, when needed. */
      firstRunId: () => Promise<string>;
    };

/**
 * Every monitoring alert takes this one path, whatever its format: a maintenance window whose scope matches holds it
 * (recorded, not paged); else an open outage its topology names as its cause takes it in as a related alert (not
 * paged); else it opens its incident (or counts a repeat of the open one), which a replica's symptom or a primary's
 * outage is then recorded for, so later alerts group under it.
 */
export async function admitAlert(ctx: AdmitContext, a: AlertToAdmit, receivedAt: Date): Promise<Admitted> {
  // One version of the runbook for the whole admission: its types and tiers, its topology, the plan the incident opens with.
  const runbook = runbookNow(ctx.runbook);
  const inForce = () => runbook;
  const topology = topologyOf(runbook);
  const request = parseIncidentRequest({ ...a.request, source: 'webhook' }, runbook);
  const { type, tier, fingerprint } = request;
  const workflowId = incidentWorkflowId(type, tier, fingerprint);
  const at = receivedAt.getTime();
  const heldBy = await holdIfInMaintenance(
    ctx.pool,
    { type, tier, labels: a.labels },
    { integration: a.integration, dedupKey: a.dedupKey, incidentKey: workflowId, alert: request },
    at,
  );
  if (heldBy) return { outcome: 'held', workflowId, heldBy };
  const toGroup = {
    type,
    tier,
    labels: a.labels,
    title: request.title || `${type} on ${tier}`,
    summary: request.summary,
    by: request.by,
    dedupKey: a.dedupKey,
  };
  // Joined as a related alert, its dedup key is not pointed at the outage: its own "resolved" must not close it.
  const groupedInto = await groupIntoCause(ctx, toGroup, at, topology);
  if (groupedInto) return { outcome: 'grouped', workflowId: groupedInto.workflowId, groupedInto };
  const { handle } = await openIncident({ ...ctx, runbook: inForce }, request, receivedAt, { flap: a.flap });
  // The run the alert reached (an incident may have continued as new since it opened): asked once, when needed.
  let firstRun: Promise<string> | undefined;
  const firstRunId = () => (firstRun ??= handle.describe().then((d) => d.raw.workflowExecutionInfo?.firstRunId ?? handle.signaledRunId));
  await recordForGrouping(ctx, toGroup, { workflowId, firstRunId }, at, topology);
  return { outcome: 'opened', workflowId, runId: handle.signaledRunId, firstRunId };
}
