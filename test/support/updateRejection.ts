import { WorkflowUpdateFailedError } from '@temporalio/client';

/** The message a validator rejected an Update with (fails the test if the Update was accepted). */
export async function rejectionOf(update: Promise<unknown>): Promise<string> {
  try {
    await update;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return (err.cause as Error | undefined)?.message ?? err.message;
    throw err;
  }
  throw new Error('the update was accepted, but a rejection was expected');
}
