import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { clipText, TEXT_LIMITS } from '../../runbooks/limits';
import type { FlapSettings } from '../../runbooks/alertLifecycle';
import { buildIncidentPlan } from '../../runbooks/plan';
import type { Roster } from '../../runbooks/roster';
import { BUILT_IN_RUNBOOK, type Runbook } from '../../runbooks/runbook';
import type { BusinessCalendar } from '../../runbooks/types';
import { incidentWorkflowId, triggerSignal, type IncidentTrigger, type OpenIncidentInput } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { incidentStartAttributes } from '../../workflows/shared/searchAttributes';
import { incidentTaskQueue } from '../../workflows/shared/taskQueues';
import { parseIncidentRequest, type IncidentRequest } from './incidentRequest';

export type { IncidentRequest } from './incidentRequest';

export interface OpenIncidentContext {
  client: Client;
  /** The deployment's queue (critical incidents start on the queue derived from it). */
  taskQueue: string;
  roster: Roster;
  calendar: BusinessCalendar;
  /** The runbook in force (reloaded when its file changes); the shipped one when absent. */
  runbook?: () => Runbook;
  /** Continue-as-new after this many history events (tests use a small budget; default: when the server suggests). */
  continueAsNewAfterEvents?: number;
}

/**
 * Opens the incident for the request's dedup key, or reaches the one already running with that key, which counts
 * the repeat (signal-with-start: "already started" is success, not an error). `receivedAt` is when the alert
 * arrived (the intake stamps it before reading the body, the CLI when it starts); the incident's clocks start
 * there. Without it (a checklist's breach, tests on the time-skipping server, whose clock is not the machine's)
 * they start when the workflow first runs.
 */
export async function openIncident(
  ctx: OpenIncidentContext,
  request: IncidentRequest,
  receivedAt?: Date,
  o: {
    /** The routing rule's hold and reopen window for an alert (flapping), over the type's. */
    flap?: FlapSettings;
    /** The maintenance window whose held alerts, still firing at its end, open this incident. */
    heldBy?: IncidentTrigger['heldBy'];
    /** A drill (docs/drills.md): marked DRILL everywhere, kept out of the SLA report, hooks not run. */
    drill?: boolean;
  } = {},
) {
  const runbook = ctx.runbook?.() ?? BUILT_IN_RUNBOOK;
  const r = parseIncidentRequest(request, runbook);
  const trigger: IncidentTrigger = {
    source: r.source,
    by: r.by,
    summary: r.summary,
    receivedAt: receivedAt?.toISOString(),
    firedAt: r.firedAt,
    ...(o.heldBy ? { heldBy: o.heldBy } : {}),
  };
  const type = runbook.incidentTypes[r.type];
  const severity = r.severity ?? type.defaultSeverity;
  // A repeat of higher severity breaks a snooze (workflows/incident/snooze.ts).
  trigger.severity = severity;
  const workflowId = incidentWorkflowId(r.type, r.tier, r.fingerprint);
  const input: OpenIncidentInput = {
    incidentKey: workflowId,
    type: r.type,
    severity,
    tier: r.tier,
    fingerprint: r.fingerprint,
    title: r.title ?? `${type.name} on ${r.tier}`,
    trigger,
    plan: buildIncidentPlan(r.type, ctx.roster, ctx.calendar, o.flap ?? {}, runbook),
    continueAsNewAfterEvents: ctx.continueAsNewAfterEvents,
    ...(o.drill && { drill: true }),
  };
  const options = {
    workflowId,
    // A critical incident's first page must not wait behind lower-severity incidents' work (taskQueues.ts).
    taskQueue: incidentTaskQueue(ctx.taskQueue, severity),
    args: [input] as [OpenIncidentInput],
    signal: triggerSignal,
    signalArgs: [trigger] as [IncidentTrigger],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: incidentStartAttributes({ type: r.type, tier: r.tier, severity }),
  };
  // A storm of identical alerts can race the incident's own start; "already started" means another trigger won,
  // so signal again and reach the running incident.
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await ctx.client.workflow.signalWithStart<typeof incidentResponse, [IncidentTrigger]>('incidentResponse', options);
      return { workflowId, runId: handle.signaledRunId, handle };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 5) throw err;
    }
  }
}

/**
 * The opener the checklist activities use: a breached threshold opens (or joins) its incident like an alert does.
 * Its title and summary are measured text (a list of sessions can be long), so they are clipped to their bounds:
 * a breach must never fail to open its incident because its description is long.
 */
export function checklistIncidentOpener(ctx: () => OpenIncidentContext) {
  return async (r: { type: string; tier: string; severity: string; fingerprint: string; title: string; summary: string }) => {
    const request = { ...r, title: clipText(r.title, TEXT_LIMITS.title), summary: clipText(r.summary, TEXT_LIMITS.summary) };
    const { workflowId } = await openIncident(ctx(), { ...request, source: 'checklist', by: 'checklist' } as IncidentRequest);
    return { workflowId };
  };
}
