import path from 'node:path';
import type { Client } from '@temporalio/client';
import { buildIncidentPlan, type IncidentPlan } from '../../../runbooks/plan';
import { loadRoster } from '../../../lib/roster';
import { SEVERITIES, type BusinessCalendar, type IncidentTypeId, type Severity, type SeverityDefinition } from '../../../runbooks/types';
import { incidentWorkflowId, type OpenIncidentInput } from '../../../workflows/incident/messages';
import type { incidentResponse } from '../../../workflows/incident/incidentResponse';
import { incidentStartAttributes } from '../../../workflows/shared/searchAttributes';

export const roster = loadRoster(path.resolve(__dirname, '../../../config/roster.example.json'));
export const calendar: BusinessCalendar = { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5, 6, 7], dayStartHour: 9 };

/**
 * The runbook's plan for a type with every clock shrunk to `cadenceSeconds`: the response deadline and each next
 * rung come that many seconds apart, so a fault test sees a ladder climb in seconds on the real dev server (which
 * cannot skip time). Automated steps time out after `stepTimeoutSeconds`, so a step cut by a killed worker is
 * retried soon. The plan is frozen into the workflow input, as openIncident does with the real one.
 */
export function fastPlan(typeId: IncidentTypeId, cadenceSeconds: number, stepTimeoutSeconds = 5): IncidentPlan {
  const plan = buildIncidentPlan(typeId, roster, calendar);
  const minutes = cadenceSeconds / 60;
  const severities = Object.fromEntries(
    SEVERITIES.map((id): [Severity, SeverityDefinition] => [
      id,
      { ...plan.severities[id], responseMinutes: minutes, escalation: { kind: 'after-minutes', minutes } },
    ]),
  ) as Record<Severity, SeverityDefinition>;
  const steps = plan.type.steps.map((s) => (s.kind === 'automated' ? { ...s, timeoutSeconds: stepTimeoutSeconds } : s));
  return { ...plan, severities, type: { ...plan.type, responseMinutes: minutes, steps } };
}

/** Starts `incidentResponse` directly with a fast plan; the fingerprint makes the workflow id unique per run. */
export async function startFastIncident(
  client: Client,
  taskQueue: string,
  o: { type: IncidentTypeId; fingerprint: string; cadenceSeconds: number; severity?: Severity },
) {
  const severity = o.severity ?? 'high';
  const workflowId = incidentWorkflowId(o.type, 'oltp', o.fingerprint);
  const input: OpenIncidentInput = {
    incidentKey: workflowId,
    type: o.type,
    severity,
    tier: 'oltp',
    fingerprint: o.fingerprint,
    title: `fault test ${o.fingerprint}`,
    trigger: { source: 'cli', by: 'fault-suite', summary: 'opened by the fault suite' },
    plan: fastPlan(o.type, o.cadenceSeconds),
  };
  return client.workflow.start<typeof incidentResponse>('incidentResponse', {
    workflowId,
    taskQueue,
    args: [input],
    typedSearchAttributes: incidentStartAttributes(input),
  });
}
