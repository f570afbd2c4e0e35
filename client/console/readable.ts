import { shortInZone } from '../../lib/timeInZone';
import { personName, type Roster } from '../../runbooks/roster';

/** A roster id as a person reads it: their name; an integration as "monitoring integration <name>"; an unknown id as itself. */
export function nameOf(roster: Roster, id: string | null | undefined): string {
  if (!id) return '';
  if (id.startsWith('integration:')) return `integration ${id.slice('integration:'.length)}`;
  return personName(roster, id);
}

/** An instant in the team's time zone, short: "Sun 6 Dec, 08:15 CET" (lib/timeInZone). */
export function whenIn(timeZone: string, at: string | Date | undefined | null): string {
  if (!at) return '';
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return '';
  return shortInZone(date, timeZone);
}

/** How long until (or since) a deadline, in words: "in 12 min", "1 h 5 min overdue". */
export function countdown(dueAt: number, now: number): string {
  const ms = dueAt - now;
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span = minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return ms >= 0 ? `in ${span}` : `${span} overdue`;
}
