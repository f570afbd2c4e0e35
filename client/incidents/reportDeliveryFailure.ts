import { WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import { deliveryFailedSignal, type DeliveryFailure } from '../../workflows/incident/messages';
import type { OpenIncidentContext } from './openIncident';

/** What the outbox knows about a notification it gave up on (activities/notify/outbox.ts DeadNotification). */
export interface UndeliveredNotification extends DeliveryFailure {
  subjectId: string;
  /** The person of a per-person channel's row (e-mail, a person's webhook): the timeline names only them. */
  person?: string;
}

/**
 * Puts a dead notification in its incident's timeline (the workflow records a 'delivery-failed' audit event).
 * Subjects that are not incidents (checklist runs) and incidents whose workflow has closed are left out: the
 * outbox has already told the responders on the other channels.
 */
export function deliveryFailureReporter(pool: Pool, incidents: () => OpenIncidentContext) {
  return async (dead: UndeliveredNotification): Promise<void> => {
    const { rows } = await pool.query<{ workflow_id: string }>('SELECT workflow_id FROM incidents WHERE incident_id = $1', [
      dead.subjectId,
    ]);
    if (!rows[0]) return;
    const failure: DeliveryFailure = {
      notificationId: dead.notificationId,
      channel: dead.channel,
      recipients: dead.person ? [dead.person] : dead.recipients,
      attempts: dead.attempts,
      error: dead.error,
    };
    try {
      await incidents().client.workflow.getHandle(rows[0].workflow_id).signal(deliveryFailedSignal, failure);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return;
      throw err;
    }
  };
}
