import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { incidentIdOf, isIncidentOfRun } from '../../workflows/incident/incidentId';
import { incidentStateQuery } from '../../workflows/incident/messages';

/** How long the incident's own answer is waited for before its id is worked out without it. */
const ANSWER_BUDGET_MS = 2_000;

/**
 * The INC id of the incident an open (or a repeat) reached, for the person who opened it: the incident's own answer;
 * else the audit store's row of that run chain (a repeat whose workflow is busy); else, for a chain the open started
 * itself, the id the workflow makes from its first run id and the time the request was received.
 */
export async function openedIncidentId(client: Client, pool: Pool, workflowId: string, runId: string, receivedAt: Date): Promise<string> {
  try {
    const state = await client.withDeadline(Date.now() + ANSWER_BUDGET_MS, () =>
      client.workflow.getHandle(workflowId).query(incidentStateQuery),
    );
    return state.incidentId;
  } catch {
    // Not answering in time (a busy or absent worker): worked out below.
  }
  const firstRunId = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.firstRunId ?? runId;
  const { rows } = await pool.query('SELECT incident_id FROM incidents WHERE workflow_id = $1 ORDER BY opened_at DESC LIMIT 1', [
    workflowId,
  ]);
  const stored: string | undefined = rows[0]?.incident_id;
  if (stored && isIncidentOfRun(stored, firstRunId)) return stored;
  return incidentIdOf(receivedAt.getTime(), firstRunId);
}
