import type { Client, WorkflowHandle } from '@temporalio/client';
import { buildIncidentPlan } from '../../runbooks/plan';
import type { AutomatedStep } from '../../runbooks/types';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { incidentWorkflowId, type OpenIncidentInput } from '../../workflows/incident/messages';
import { incidentStartAttributes } from '../../workflows/shared/searchAttributes';
import { calendar, roster } from './harness';

/**
 * Opens a critical database outage whose runbook is only the failover step, as shipped or with some fields changed:
 * the workflow interprets the plan frozen into its input, so a test reaches the approval at once, or gives the step
 * another retry policy.
 */
export async function openFailover(
  client: Client,
  taskQueue: string,
  fingerprint: string,
  changes: Partial<AutomatedStep> = {},
): Promise<WorkflowHandle<typeof incidentResponse>> {
  const plan = buildIncidentPlan('database-outage', roster, calendar);
  const failover = plan.type.steps.find((x) => x.id === 'execute-failover') as AutomatedStep;
  plan.type = { ...plan.type, steps: [{ ...failover, ...changes }] };
  const workflowId = incidentWorkflowId('database-outage', 'oltp', fingerprint);
  const input: OpenIncidentInput = {
    incidentKey: workflowId,
    type: 'database-outage',
    severity: 'critical',
    tier: 'oltp',
    fingerprint,
    title: 'Database Outage on oltp',
    trigger: { source: 'cli', by: 'test' },
    plan,
  };
  return client.workflow.start<typeof incidentResponse>('incidentResponse', {
    workflowId,
    taskQueue,
    args: [input],
    typedSearchAttributes: incidentStartAttributes(input),
  });
}
