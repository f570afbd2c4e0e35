import type { Pool } from 'pg';

/** One delivery of a notification on one channel (to one person, for a per-person channel), as the outbox has it. */
export interface Delivery {
  notificationId: string;
  kind: string;
  channel: string;
  /** The person of a per-person channel (e-mail, a person's webhook); absent for a team channel. */
  person?: string;
  /** Roster ids the delivery was for (the person, or everyone a team channel's message named). */
  recipients: string[];
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  lastError?: string;
  createdAt: string;
  deliveredAt?: string;
  /** Pending: when the next attempt is due. */
  nextAttemptAt?: string;
}

/** Every delivery of a subject's notifications (an incident's pages, escalations, reminders…), oldest first. */
export async function readDeliveries(pool: Pool, subjectId: string): Promise<Delivery[]> {
  const { rows } = await pool.query(
    `SELECT payload->>'notificationId' AS notification_id, kind, channel, person, recipient, status, attempts, last_error,
            created_at, delivered_at, next_attempt_at
     FROM notification_outbox WHERE subject_id = $1 ORDER BY created_at, notification_id`,
    [subjectId],
  );
  return rows.map((r) => ({
    notificationId: r.notification_id,
    kind: r.kind,
    channel: r.channel,
    ...(r.person ? { person: r.person } : {}),
    recipients: String(r.recipient).split(',').filter(Boolean),
    status: r.status,
    attempts: r.attempts,
    ...(r.last_error ? { lastError: r.last_error } : {}),
    createdAt: r.created_at.toISOString(),
    ...(r.delivered_at ? { deliveredAt: r.delivered_at.toISOString() } : {}),
    ...(r.status === 'pending' ? { nextAttemptAt: r.next_attempt_at.toISOString() } : {}),
  }));
}
