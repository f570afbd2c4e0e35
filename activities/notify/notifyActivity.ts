import type { Pool } from 'pg';
import type { NotificationRequest } from '../contracts';
import { sendNotification, type NotificationChannel } from './notifier';

/** The notify activity: outbox first, then delivery on every configured channel. */
export function createNotifyActivities(d: { auditPool: Pool; channels: NotificationChannel[] }) {
  return {
    async notify(n: NotificationRequest) {
      return sendNotification(d.auditPool, d.channels, n);
    },
  };
}
