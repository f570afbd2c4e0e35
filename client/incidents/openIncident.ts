import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { z } from 'zod';
import { buildIncidentPlan } from '../../runbooks/plan';
import { INCIDENT_TYPES } from '../../runbooks/incidentTypes';
import type { Roster } from '../../runbooks/roster';
import { INCIDENT_TYPE_IDS, SEVERITIES, TIERS, type BusinessCalendar } from '../../runbooks/types';
import { incidentWorkflowId, triggerSignal, type IncidentTrigger, type OpenIncidentInput } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { SA_KIND, SA_PHASE, SA_SEVERITY, SA_TIER, SA_TYPE } from '../../workflows/shared/searchAttributes';

/** What a person, an alert or a checklist supplies to open (or re-trigger) an incident. */
export const IncidentRequestSchema = z.object({
  type: z.enum(INCIDENT_TYPE_IDS),
  tier: z.enum(TIERS),
  severity: z.enum(SEVERITIES).optional(),
  fingerprint: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,120}$/, 'letters, digits, . _ : - (at most 120)')
    .default('manual'),
  title: z.string().min(1).max(300).optional(),
  source: z.enum(['cli', 'webhook', 'checklist']).default('cli'),
  by: z.string().min(1).default('dbops'),
  summary: z.string().max(2000).optional(),
});
export type IncidentRequest = z.input<typeof IncidentRequestSchema>;

export class InvalidRequestError extends Error {}

export function parseIncidentRequest(data: unknown): z.output<typeof IncidentRequestSchema> {
  const r = IncidentRequestSchema.safeParse(data);
  if (!r.success) {
    throw new InvalidRequestError(r.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; '));
  }
  return r.data;
}

export interface OpenIncidentContext {
  client: Client;
  taskQueue: string;
  roster: Roster;
  calendar: BusinessCalendar;
  /** Continue-as-new after this many history events (tests use a small budget; default: when the server suggests). */
  continueAsNewAfterEvents?: number;
}

/**
 * Opens the incident for the request's dedup key, or reaches the one already running with that key, which counts
 * the repeat (signal-with-start: "already started" is success, not an error).
 */
export async function openIncident(ctx: OpenIncidentContext, request: IncidentRequest) {
  const r = parseIncidentRequest(request);
  const type = INCIDENT_TYPES[r.type];
  const severity = r.severity ?? type.defaultSeverity;
  const workflowId = incidentWorkflowId(r.type, r.tier, r.fingerprint);
  const input: OpenIncidentInput = {
    incidentKey: workflowId,
    type: r.type,
    severity,
    tier: r.tier,
    fingerprint: r.fingerprint,
    title: r.title ?? `${type.name} on ${r.tier}`,
    trigger: { source: r.source, by: r.by, summary: r.summary },
    plan: buildIncidentPlan(r.type, ctx.roster, ctx.calendar),
    continueAsNewAfterEvents: ctx.continueAsNewAfterEvents,
  };
  const options = {
    workflowId,
    taskQueue: ctx.taskQueue,
    args: [input] as [OpenIncidentInput],
    signal: triggerSignal,
    signalArgs: [{ source: r.source, by: r.by, summary: r.summary }] as [IncidentTrigger],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [
      { key: SA_KIND, value: 'incident' },
      { key: SA_TYPE, value: r.type },
      { key: SA_TIER, value: r.tier },
      { key: SA_SEVERITY, value: severity },
      { key: SA_PHASE, value: 'triggered' },
    ],
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

/** The opener the checklist activities use: a breached threshold opens (or joins) its incident like an alert does. */
export function checklistIncidentOpener(ctx: () => OpenIncidentContext) {
  return async (r: { type: string; tier: string; severity: string; fingerprint: string; title: string; summary: string }) => {
    const { workflowId } = await openIncident(ctx(), { ...r, source: 'checklist', by: 'checklist' } as IncidentRequest);
    return { workflowId };
  };
}
