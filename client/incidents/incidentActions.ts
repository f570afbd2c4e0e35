import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { acknowledgeUpdate, resolveUpdate, type ActorRequest, type IncidentState } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { outageResolved } from '../alerts/topologyGrouping';
import { IncidentRefError } from './incidentRef';
import { InvalidRequestError } from './incidentRequest';

export type IncidentHandle = WorkflowHandle<typeof incidentResponse>;

/**
 * Acknowledges as `actor` (authenticated by the caller: a personal token, or a signed page link). The workflow's
 * validator decides whether they may; a refusal leaves nothing in its history. The API's /incidents/:ref/ack and
 * the page link's confirmation both act through here.
 */
export function acknowledgeIncident(handle: IncidentHandle, actor: ActorRequest, note?: string, updateId?: string): Promise<IncidentState> {
  return handle.executeUpdate(acknowledgeUpdate, { args: [{ ...actor, note }], updateId });
}

/**
 * Resolves as `actor`, then tells this process' alert grouping the incident no longer takes related alerts by
 * signal (client/alerts/topologyGrouping.ts): the next symptom asks it by Update, is refused, and pages.
 */
export async function resolveIncident(handle: IncidentHandle, actor: ActorRequest, summary: string): Promise<IncidentState> {
  const state = await handle.executeUpdate(resolveUpdate, { args: [{ ...actor, summary }] });
  outageResolved(handle.workflowId);
  return state;
}

/** Why a validator refused an Update → the HTTP status that says so. Anything else it refuses is a bad request. */
const STATUS_OF_REFUSAL: Record<string, 403 | 404 | 409> = {
  NotEntitled: 403,
  UnknownActor: 403,
  UnknownStep: 404,
  AlreadyResolved: 409,
  AlreadyAcknowledged: 409,
  StepNotWaiting: 409,
  NoChange: 409,
};

export interface ActionRefusal {
  status: 400 | 403 | 404 | 409;
  error: string;
  /** The validator's reason (its failure type), when a validator refused. */
  refusal?: string;
  /** The action policy's rule that refused (runbooks/actionPolicy.ts), when it was the policy. */
  rule?: string;
}

/** An action on incident `ref` that was refused (bad request, unknown or closed incident, a validator's no), or undefined for any other error. */
export function refusalOf(err: unknown, ref: string): ActionRefusal | undefined {
  if (err instanceof InvalidRequestError) return { status: 400, error: err.message };
  if (err instanceof IncidentRefError) return { status: err.reason === 'closed' ? 409 : 404, error: err.message };
  if (err instanceof WorkflowNotFoundError) return { status: 404, error: `no incident '${ref}'` };
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as (Error & { type?: string; details?: unknown[] }) | undefined;
    const rule = (cause?.details?.[0] as { rule?: unknown } | undefined)?.rule;
    return {
      status: STATUS_OF_REFUSAL[cause?.type ?? ''] ?? 400,
      error: `${cause?.message ?? err.message}; nothing was changed`,
      refusal: cause?.type,
      ...(typeof rule === 'string' && { rule }),
    };
  }
  return undefined;
}
