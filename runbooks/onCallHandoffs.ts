/**
 * Handoffs: the instants at which who holds a role changes (a rotation's turn, a restriction's edge, an override's
 * start and end), with who hands over and who takes over. Pure; the handoff workflow tells the people at each one.
 */
import { segmentsBetween, type Override } from './onCall';
import type { Schedules } from './onCallSchedule';
import type { Roster } from './roster';
import type { Role } from './types';

/** Someone handing over or taking over, by id and name (names are what a person reads). */
export interface HandoffPerson {
  id: string;
  name: string;
}

export interface Handoff {
  role: Role;
  /** ms since the epoch. */
  at: number;
  /** Who held the role just before (nobody: the role came out of a gap). */
  outgoing: HandoffPerson[];
  /** Who holds it from `at` (nobody: a gap starts). */
  incoming: HandoffPerson[];
  /** The zone the role's schedule keeps (its first layer's), for the wall-clock time people read. */
  timeZone?: string;
}

const ids = (people: readonly HandoffPerson[]) =>
  people
    .map((p) => p.id)
    .sort()
    .join(',');

/**
 * Every handoff of these roles at an instant in (from, to], oldest first. A boundary at which the same people go on
 * holding the role (an override of someone by themselves, a layer change to the same person) is no handoff.
 */
export function handoffsBetween(
  schedules: Schedules,
  overrides: readonly Override[],
  roster: Roster,
  roles: readonly Role[],
  from: number,
  to: number,
): Handoff[] {
  const handoffs = roles.flatMap((role) => {
    const timeZone = schedules.schedules.find((s) => s.role === role)?.layers[0]?.timeZone;
    // To one ms past `to`, so that a handoff exactly at `to` is inside (segments are half-open).
    const segments = segmentsBetween(schedules, overrides, roster, role, from, to + 1);
    return segments.slice(1).flatMap((s, i): Handoff[] => {
      const outgoing = segments[i].holders.map((p) => ({ id: p.id, name: p.name }));
      const incoming = s.holders.map((p) => ({ id: p.id, name: p.name }));
      if (s.start <= from || s.start > to || ids(outgoing) === ids(incoming)) return [];
      return [{ role, at: s.start, outgoing, incoming, ...(timeZone && { timeZone }) }];
    });
  });
  return handoffs.sort((a, b) => a.at - b.at || a.role.localeCompare(b.role));
}

/** The roles whose handoffs are told: every role with a schedule or an override (a roster-only role never changes hands by itself). */
export function handoffRoles(schedules: Schedules, overrides: readonly Override[]): Role[] {
  return [...new Set([...schedules.schedules.map((s) => s.role), ...overrides.map((o) => o.role)])];
}

/**
 * The notice's id for one person at one handoff: the same whoever computes it and however often, so the outbox takes
 * a retried or repeated send as the one it already has.
 */
export const handoffNoticeId = (role: Role, at: number, person: string) => `handoff:${role}:${new Date(at).toISOString()}:${person}`;

/** Who is told at a handoff, and as what: someone in both lists keeps the role and is not told. */
export function handoffAudience(h: Handoff): { person: HandoffPerson; direction: 'outgoing' | 'incoming' }[] {
  const keeps = new Set(h.outgoing.filter((p) => h.incoming.some((q) => q.id === p.id)).map((p) => p.id));
  return [
    ...h.outgoing.filter((p) => !keeps.has(p.id)).map((person) => ({ person, direction: 'outgoing' as const })),
    ...h.incoming.filter((p) => !keeps.has(p.id)).map((person) => ({ person, direction: 'incoming' as const })),
  ];
}
