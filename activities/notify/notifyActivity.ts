import { Context } from '@temporalio/activity';
import type { RosterInForce } from '../../lib/rosterInForce';
import { ROSTER_ONLY, type SchedulesInForce } from '../../lib/schedules';
import type { Override } from '../../runbooks/onCall';
import type { Role } from '../../runbooks/types';
import type { NotificationRequest, PageGap } from '../contracts';
import type { DeliveryCount, Outbox } from './outbox';
import { recipientsInForce, rolesOf } from './recipientsInForce';

/** What a notification for roles was resolved with, and who it reached (roster ids). */
export interface NotifyResult extends DeliveryCount {
  recipients?: string[];
  rosterVersion?: string;
  scheduleVersion?: string;
  /** Roles of the page nobody held when it was sent, and the rung paged instead. */
  gaps?: PageGap[];
}

/**
 * The notify activity: outbox first, then delivery on every configured channel (see createOutbox). A notification
 * for roles goes to who holds them when it is sent: the on-call schedules in force (currentSchedules), the overrides
 * in the store (overridesAt) and the roster in force (currentRoster), and says which versions those were.
 */
export function createNotifyActivities(d: {
  outbox: Outbox;
  currentRoster?: () => RosterInForce;
  currentSchedules?: () => SchedulesInForce;
  overridesAt?: (roles: readonly Role[], at: number) => Promise<Override[]>;
}) {
  return {
    async notify(request: NotificationRequest): Promise<NotifyResult> {
      const n = { ...request, workflowId: request.workflowId ?? callingWorkflowId() };
      const addressed = d.currentRoster ? await addressedInForce(n, d.currentRoster()) : n;
      const count = await d.outbox.send(addressed);
      return addressed.rosterVersion
        ? {
            ...count,
            rosterVersion: addressed.rosterVersion,
            ...(addressed.scheduleVersion && { scheduleVersion: addressed.scheduleVersion }),
            recipients: addressed.recipients.map((r) => r.id),
            ...(addressed.gaps && { gaps: addressed.gaps }),
          }
        : count;
    },
  };

  async function addressedInForce(n: NotificationRequest, roster: RosterInForce): Promise<NotificationRequest> {
    if (!n.roles?.length) return n;
    const at = Date.parse(n.occurredAt);
    const overrides = d.overridesAt ? await d.overridesAt(rolesOf(n), Number.isFinite(at) ? at : Date.now()) : [];
    const addressed = recipientsInForce(n, { roster, schedules: d.currentSchedules?.() ?? ROSTER_ONLY, overrides });
    return addressed.diagnosis ? { ...addressed, diagnosis: { ...addressed.diagnosis, paged: pagedNames(addressed, roster) } } : addressed;
  }
}

/** Everyone the incident's pages reached so far, this one included, by name (an id the roster no longer has, as it is). */
function pagedNames(n: NotificationRequest, roster: RosterInForce) {
  const before = n.diagnosis?.pagedBefore ?? [];
  const ids = [...new Set([...before, ...n.recipients.map((r) => r.id)])];
  return ids.map((id) => ({
    id,
    name: n.recipients.find((r) => r.id === id)?.name ?? roster.roster.people.find((p) => p.id === id)?.name ?? id,
  }));
}

/** The workflow of the activity running this, if it runs as one (tests also call notify directly). */
function callingWorkflowId(): string | undefined {
  try {
    return Context.current().info.workflowExecution?.workflowId;
  } catch {
    return undefined;
  }
}
