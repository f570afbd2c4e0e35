import type { Pool } from 'pg';
import { openIncidentsFor, recordHandoffNotice, type HandedIncident } from '../../db/oncall/handoffs';
import { listOverrides } from '../../db/oncall/overrides';
import type { Logger } from '../../lib/logger';
import type { RosterInForce } from '../../lib/rosterInForce';
import { ROSTER_ONLY, type SchedulesInForce } from '../../lib/schedules';
import { localParts } from '../../runbooks/calendar';
import { handoffAudience, handoffNoticeId, handoffRoles, handoffsBetween, type Handoff } from '../../runbooks/onCallHandoffs';
import { escalationRoles } from '../../runbooks/plan';
import { runbookNow, type Runbook } from '../../runbooks/runbook';
import type { Role } from '../../runbooks/types';
import type { NotificationRequest } from '../contracts';
import type { Outbox } from '../notify/outbox';

export interface HandoffPlan {
  /** Handoffs in (from, to], oldest first. */
  handoffs: Handoff[];
  rosterVersion: string;
  scheduleVersion: string;
}

export interface HandoffTold {
  notificationId: string;
  person: string;
  direction: 'outgoing' | 'incoming';
}

/**
 * Whether an incident pages the role: by the ladder it froze when it opened; without one recorded, by its type's ladder
 * in the runbook in force; a type that runbook does not know: yes, to be safe.
 */
export const pagesRole = (role: Role, runbook: Runbook) => (type: string, ladder: { roles: string[] }[] | undefined) => {
  if (ladder) return ladder.some((rung) => rung.roles.includes(role));
  const def = runbook.incidentTypes[type];
  return !def || escalationRoles(def, runbook.generalEscalationPath).some((rung) => rung.includes(role));
};

const two = (n: number) => String(n).padStart(2, '0');
/** `2026-03-09 09:00 Europe/Berlin`: the wall-clock time people read. */
function localTime(at: number, timeZone = 'UTC'): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)} ${timeZone}`;
}

const names = (people: { name: string }[]) => people.map((p) => p.name).join(' and ') || 'nobody (a gap: nobody holds the role)';

/** The notice one person reads: the role, when, from whom to whom, and each open incident by INC id, title, severity and phase. */
export function handoffMessage(h: Handoff, direction: 'outgoing' | 'incoming', incidents: HandedIncident[]): string {
  const what =
    direction === 'outgoing' ? `you hand ${h.role} over to ${names(h.incoming)}` : `you take ${h.role} over from ${names(h.outgoing)}`;
  const list = incidents.length
    ? `Open incidents changing hands (${incidents.length}): ${incidents.map((i) => `${i.incidentId} "${i.title}" (${i.severity}, ${i.phase})`).join('; ')}.`
    : 'No open incidents change hands.';
  return `Handoff at ${localTime(h.at, h.timeZone)} (${new Date(h.at).toISOString()}): ${what}. ${list}`;
}

/**
 * The handoff workflow's side effects: which handoffs fall in a window (from the schedules, overrides and roster in
 * force now), and telling the people at one, each notice queued in the outbox under an id of its own (role, instant,
 * person) and recorded in oncall_handoff_notices: done again, both are no-ops.
 */
export function createHandoffActivities(d: {
  auditPool: Pool;
  outbox: Outbox;
  logger: Logger;
  currentRoster?: () => RosterInForce;
  currentSchedules?: () => SchedulesInForce;
  /** The runbook in force (the built-in one when absent): the ladders of incidents that recorded none. */
  runbook?: () => Runbook;
}) {
  const schedules = () => d.currentSchedules?.() ?? ROSTER_ONLY;
  return {
    async planHandoffs(window: { from: number; to: number }): Promise<HandoffPlan> {
      const inForce = d.currentRoster?.();
      const { schedules: s, version } = schedules();
      const overrides = await listOverrides(d.auditPool, { after: window.from });
      const handoffs = inForce ? handoffsBetween(s, overrides, inForce.roster, handoffRoles(s, overrides), window.from, window.to) : [];
      return { handoffs, rosterVersion: inForce?.version ?? 'none', scheduleVersion: version };
    },

    async tellHandoff(input: { handoff: Handoff; rosterVersion: string; scheduleVersion: string }): Promise<HandoffTold[]> {
      const h = input.handoff;
      const people = d.currentRoster?.().roster.people ?? [];
      const incidents = await openIncidentsFor(d.auditPool, pagesRole(h.role, runbookNow(d.runbook)));
      const told: HandoffTold[] = [];
      for (const { person, direction } of handoffAudience(h)) {
        const contact = people.find((p) => p.id === person.id);
        if (!contact) {
          d.logger.warn(
            { role: h.role, person: person.id, at: new Date(h.at).toISOString() },
            'handoff notice not sent: no longer on the roster',
          );
          continue;
        }
        const notificationId = handoffNoticeId(h.role, h.at, person.id);
        await recordHandoffNotice(d.auditPool, {
          notificationId,
          role: h.role,
          handoffAt: new Date(h.at).toISOString(),
          person: person.id,
          direction,
          outgoing: h.outgoing.map((p) => p.id),
          incoming: h.incoming.map((p) => p.id),
          incidents,
          rosterVersion: input.rosterVersion,
          scheduleVersion: input.scheduleVersion,
        });
        const notice: NotificationRequest = {
          notificationId,
          subjectId: `oncall:${h.role}`,
          kind: 'handoff',
          message: handoffMessage(h, direction, incidents),
          recipients: [{ id: contact.id, name: contact.name, role: h.role, channels: contact.channels }],
          occurredAt: new Date(h.at).toISOString(),
        };
        await d.outbox.send(notice);
        told.push({ notificationId, person: person.id, direction });
      }
      return told;
    },
  };
}
