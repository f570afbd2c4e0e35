import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { onCallChangedSignal, onCallHandoffs } from '../../workflows/oncall/onCallHandoffs';

/** One handoff workflow per deployment (per task queue, so test runs on one server never share it). */
export const handoffWorkflowId = (taskQueue: string) => `oncall-handoffs/${taskQueue}`;

/**
 * Starts the handoff workflow unless it runs already: every worker calls this at its start, so it runs once
 * whichever workers come and go, and one stopped by hand is back with the next worker start.
 */
export async function ensureHandoffWorkflow(client: Client, taskQueue: string): Promise<{ runId: string }> {
  try {
    const handle = await client.workflow.start(onCallHandoffs, {
      workflowId: handoffWorkflowId(taskQueue),
      taskQueue,
      args: [{}],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    // The run already going, when there is one (USE_EXISTING).
    return { runId: handle.firstExecutionRunId };
  } catch (err) {
    // A server without conflict policies refuses the second start instead.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { runId: (await client.workflow.getHandle(handoffWorkflowId(taskQueue)).describe()).runId };
  }
}

/** Wakes the handoff workflow after an override changed (best effort: without it, it looks again within minutes). */
export async function tellHandoffWorkflowOfChange(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.workflow.getHandle(handoffWorkflowId(taskQueue)).signal(onCallChangedSignal);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
