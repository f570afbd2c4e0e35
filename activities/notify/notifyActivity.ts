import type { RosterInForce } from '../../lib/rosterInForce';
import type { NotificationRequest } from '../contracts';
import type { Outbox } from './outbox';
import { recipientsInForce } from './recipientsInForce';

/**
 * The notify activity: outbox first, then delivery on every configured channel (see createOutbox). A notification
 * for roles goes to who holds them in the roster in force (currentRoster), and says which roster that was.
 */
export function createNotifyActivities(d: { outbox: Outbox; currentRoster?: () => RosterInForce }) {
  return {
    async notify(n: NotificationRequest) {
      const addressed = d.currentRoster ? recipientsInForce(n, d.currentRoster()) : n;
      const count = await d.outbox.send(addressed);
      return addressed.rosterVersion
        ? { ...count, rosterVersion: addressed.rosterVersion, recipients: addressed.recipients.map((r) => r.id) }
        : count;
    },
  };
}
