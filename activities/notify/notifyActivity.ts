import type { NotificationRequest } from '../contracts';
import type { Outbox } from './outbox';

/** The notify activity: outbox first, then delivery on every configured channel (see createOutbox). */
export function createNotifyActivities(d: { outbox: Outbox }) {
  return {
    async notify(n: NotificationRequest) {
      return d.outbox.send(n);
    },
  };
}
