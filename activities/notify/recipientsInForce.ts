import type { RosterInForce } from '../../lib/rosterInForce';
import type { SchedulesInForce } from '../../lib/schedules';
import { holdersAt, segmentsBetween, type Override } from '../../runbooks/onCall';
import type { Contact } from '../../runbooks/plan';
import type { Person } from '../../runbooks/roster';
import type { Role } from '../../runbooks/types';
import type { FallbackRung, NotificationRequest, PageGap } from '../contracts';

/** What decides who holds a role when a notification is sent. */
export interface OnCallInForce {
  roster: RosterInForce;
  schedules: SchedulesInForce;
  /** The overrides of the notification's roles (and its fallback rungs') not over at the time it is sent. */
  overrides: readonly Override[];
}

/** How far ahead a gap's end is looked for: beyond it the page says "until further notice". */
const GAP_HORIZON_MS = 7 * 24 * 3_600_000;

/** Every role a notification may be sent to: its own, then its fallback rungs' (whose overrides the activity reads). */
export const rolesOf = (n: NotificationRequest): Role[] => [
  ...new Set([...(n.roles ?? []), ...(n.fallback ?? []).flatMap((r) => r.roles)]),
];

/**
 * The notification addressed to whoever holds its roles at the moment it was sent (its `occurredAt`, the workflow's
 * clock, so a retried activity resolves to the same people): overrides first, then the role's schedule, else the
 * roster (runbooks/onCall.ts). A role nobody holds then is a gap: with `fallback` (oncall-pages runs) its share of the
 * page goes to the first rung above with somebody on it, and the gap is reported; without, or with nobody above
 * either, to its contacts frozen in the plan, so a page is never addressed to nobody while somebody was. Without
 * roles, the notification goes to the recipients it names.
 */
export function recipientsInForce(n: NotificationRequest, inForce: OnCallInForce): NotificationRequest {
  if (!n.roles?.length) return n;
  const at = Number.isFinite(Date.parse(n.occurredAt)) ? Date.parse(n.occurredAt) : Date.now();
  const { roster } = inForce.roster;
  const { schedules } = inForce.schedules;
  const holders = (role: Role) => holdersAt(schedules, inForce.overrides, roster, role, at);
  const contact = (p: Person, role: Role): Contact => ({ id: p.id, name: p.name, role, channels: p.channels });
  const seen = new Set<string>();
  const recipients: Contact[] = [];
  const add = (contacts: Contact[]) => {
    for (const c of contacts) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      recipients.push(c);
    }
  };
  const gaps: PageGap[] = [];
  for (const role of n.roles) {
    const people = holders(role);
    if (people.length) {
      add(people.map((p) => contact(p, role)));
      continue;
    }
    const instead = firstHeldRung(n.fallback ?? [], holders);
    if (instead) add(instead.roles.flatMap((r) => holders(r).map((p) => contact(p, r))));
    else add(n.recipients.filter((c) => c.role === role));
    const [gap] = segmentsBetween(schedules, inForce.overrides, roster, role, at, at + GAP_HORIZON_MS);
    gaps.push({
      role,
      ...(gap && gap.holders.length === 0 && gap.end < at + GAP_HORIZON_MS && { until: new Date(gap.end).toISOString() }),
      ...(instead && { pagedInstead: instead }),
    });
  }
  return {
    ...n,
    recipients,
    rosterVersion: inForce.roster.version,
    scheduleVersion: inForce.schedules.version,
    ...(gaps.length && { gaps }),
  };
}

/** The first rung with somebody holding one of its roles. */
function firstHeldRung(rungs: FallbackRung[], holders: (role: Role) => Person[]): FallbackRung | undefined {
  return rungs.find((r) => r.roles.some((role) => holders(role).length > 0));
}
