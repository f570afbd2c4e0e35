import { Context } from '@temporalio/activity';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { NotificationRequest } from '../contracts';
import type { DeliveryCount, Outbox } from './outbox';
import { recipientsInForce } from './recipientsInForce';

/**
 * The notify activity: outbox first, then delivery on every configured channel (see createOutbox). A notification
 * for roles goes to who holds them in the roster in force (currentRoster), and says which roster that was.
 */
export function createNotifyActivities(d: { outbox: Outbox; currentRoster?: () => RosterInForce }) {
  return {
    /** Resolves to the delivery count and, with a roster in force, who the notification went to and that roster's version. */
    async notify(request: NotificationRequest): Promise<DeliveryCount & { recipients?: string[]; rosterVersion?: string }> {
      const n = { ...request, workflowId: request.workflowId ?? callingWorkflowId() };
      const addressed = d.currentRoster ? recipientsInForce(n, d.currentRoster()) : n;
      const count = await d.outbox.send(addressed);
      return addressed.rosterVersion
        ? { ...count, rosterVersion: addressed.rosterVersion, recipients: addressed.recipients.map((r) => r.id) }
        : count;
    },
  };
}

/** The workflow of the activity running this, if it runs as one (tests also call notify directly). */
function callingWorkflowId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
}
