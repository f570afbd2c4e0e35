import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';

/**
 * The latest run under an incident's workflow id, seen from one incident: the id is the dedup key, which a later
 * incident reuses once this one resolved, so the run is this incident's only when its chain began with this
 * incident's first run (`isOurs`). The handle is pinned to that chain (firstExecutionRunId), so an Update racing a
 * new incident's start is refused by the server instead of reaching it.
 */
export type LatestRun =
  | { kind: 'missing' }
  | { kind: 'another incident' }
  | { kind: 'ours'; running: boolean; firstRunId: string; handle: WorkflowHandle<typeof incidentResponse> };

export async function latestRunOf(
  client: Client,
  workflowId: string,
  isOurs: (firstRunId: string) => boolean | Promise<boolean>,
): Promise<LatestRun> {
  let latest;
  try {
    latest = await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return { kind: 'missing' };
    throw err;
  }
  const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId;
  if (!firstRunId || !(await isOurs(firstRunId))) return { kind: 'another incident' };
  return {
    kind: 'ours',
    running: latest.status.name === 'RUNNING',
    firstRunId,
    handle: client.workflow.getHandle<typeof incidentResponse>(workflowId, undefined, { firstExecutionRunId: firstRunId }),
  };
}

/**
 * Whether `runId` is a run of the chain that began with `firstRunId`: the same run, or a later one it continued as
 * (asked of the server only then). A run the server no longer keeps is of no chain.
 */
export async function isRunOfChain(client: Client, workflowId: string, runId: string, firstRunId: string): Promise<boolean> {
  if (runId === firstRunId) return true;
  try {
    return (await client.workflow.getHandle(workflowId, runId).describe()).raw.workflowExecutionInfo?.firstRunId === firstRunId;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
