import type { RosterInForce } from '../../lib/rosterInForce';
import type { Contact } from '../../runbooks/plan';
import { peopleWithRole } from '../../runbooks/roster';
import type { NotificationRequest } from '../contracts';

/**
 * The notification addressed to whoever holds its roles in the roster in force now: a person who left is not
 * paged, one who joined is. A role nobody holds any more keeps its contacts frozen in the plan, so a roster edit
 * never leaves a rung paging nobody. Without roles, the notification goes to the recipients it names.
 */
export function recipientsInForce(n: NotificationRequest, inForce: RosterInForce): NotificationRequest {
  if (!n.roles?.length) return n;
  const seen = new Set<string>();
  const recipients: Contact[] = [];
  for (const role of n.roles) {
    const holders = peopleWithRole(inForce.roster, role);
    const contacts = holders.length
      ? holders.map((p) => ({ id: p.id, name: p.name, role, channels: p.channels }))
      : n.recipients.filter((c) => c.role === role);
    for (const c of contacts) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      recipients.push(c);
    }
  }
  return { ...n, recipients, rosterVersion: inForce.version };
}
