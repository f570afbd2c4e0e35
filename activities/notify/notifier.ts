import type { Pool } from 'pg';
import type { NotificationRequest } from '../contracts';
import type { NotificationChannel } from './channels';
import { createOutbox } from './outbox';

export { logChannel, webhookChannel, type NotificationChannel } from './channels';

/**
 * Sends one notification through the outbox with the default policy: the same claim as the worker's outbox, but no
 * failure log of its own; rows it leaves pending are retried, and reported when dead, by the worker's flush.
 * Code that has the worker's outbox (ActivityDependencies.outbox) uses outbox.send instead.
 */
export function sendNotification(pool: Pool, channels: NotificationChannel[], n: NotificationRequest) {
  return createOutbox({ pool, channels }).send(n);
}
