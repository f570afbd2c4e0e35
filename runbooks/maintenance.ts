/**
 * Maintenance windows: pure. What a window looks like, when its occurrences are (a recurring one by the wall clock of
 * its zone, exact across DST: runbooks/calendar.ts). Which alerts it holds: maintenanceScope.ts; what a request to make
 * one must say: maintenanceRequest.ts. db/maintenance/windows.ts keeps them; workflows/maintenance/maintenanceWindow.ts
 * ends each occurrence on time, so this file is workflow code: no validation library here (every workflow evaluates
 * the bundle's modules when it starts: zod in the bundle made each new incident's first task several times longer).
 */
import type { Matcher } from './alertRouting';
import { wallClockOf, wallClockToInstant } from './calendar';
import type { IncidentTypeId, Tier } from './types';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/**
 * Longest occurrence of a window. Every window ends: a longer silence is not maintenance but monitoring switched off
 * (Keep's windows that never ended, keephq/keep #5257), and asks for a new window once the first is over.
 */
export const MAX_WINDOW_HOURS = 24;
/** How far ahead a recurring window may go on (its `until`): renewed yearly, by a person, on purpose. */
export const MAX_RECURRENCE_DAYS = 366;

export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/** Which alerts a window holds: every field given must match (tiers, types, labels); at least one is given. */
export interface WindowScope {
  tiers?: Tier[];
  types?: IncidentTypeId[];
  labels?: Record<string, Matcher>;
}

/** A window's times: one span, or a weekly span in a zone's wall clock up to `until`. */
export type WindowTiming =
  | { kind: 'once'; start: number; end: number }
  | { kind: 'weekly'; days: WeekdayName[]; startTime: string; endTime: string; timeZone: string; from: number; until: number };

export interface Occurrence {
  start: number;
  end: number;
}

export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The first occurrence that ends after `after`, or undefined when none is left. A weekly window's start and end are
 * wall-clock times in its zone: on the night clocks go forward an occurrence across the change is an hour shorter,
 * on the night they go back an hour longer (a time skipped starts at the first instant after the gap; a time that
 * happens twice is its first occurrence, runbooks/calendar.ts). An end at or before the start is on the next day.
 */
export function nextOccurrence(t: WindowTiming, after: number): Occurrence | undefined {
  if (t.kind === 'once') return t.end > after ? { start: t.start, end: t.end } : undefined;
  const startMin = minutesOf(t.startTime);
  const endMin = minutesOf(t.endTime);
  const endsNextDay = endMin <= startMin;
  // Local dates from the day before `after` (an occurrence that started yesterday may still run).
  const firstDay = Math.floor(wallClockOf(Math.max(after, t.from), t.timeZone) / DAY) - 1;
  for (let day = firstDay; day <= firstDay + 8; day++) {
    const weekday = WEEKDAY_NAMES[(new Date(day * DAY).getUTCDay() + 6) % 7];
    if (!t.days.includes(weekday)) continue;
    const start = wallClockToInstant(day * DAY + startMin * 60_000, t.timeZone);
    const end = wallClockToInstant((day + (endsNextDay ? 1 : 0)) * DAY + endMin * 60_000, t.timeZone);
    if (start >= t.until) return undefined;
    if (end > after && end > t.from) return { start: Math.max(start, t.from), end };
  }
  return undefined;
}

/** Every occurrence that overlaps [from, to), in order (for listings and tests). */
export function occurrencesBetween(t: WindowTiming, from: number, to: number): Occurrence[] {
  const out: Occurrence[] = [];
  for (let o = nextOccurrence(t, from); o && o.start < to; o = nextOccurrence(t, o.end)) out.push(o);
  return out;
}

/** A scope as a person reads it. */
export function describeScope(scope: WindowScope): string {
  const parts: string[] = [];
  if (scope.tiers) parts.push(`tiers ${scope.tiers.join(', ')}`);
  if (scope.types) parts.push(`types ${scope.types.join(', ')}`);
  for (const [name, m] of Object.entries(scope.labels ?? {}))
    parts.push(typeof m === 'string' ? `${name}=${m}` : `${name}=~${m.regex}${m.ignoreCase ? ' (any case)' : ''}`);
  return parts.join('; ');
}

/** A timing as a person reads it (instants in UTC; a weekly one in its own zone). */
export function describeTiming(t: WindowTiming): string {
  if (t.kind === 'once') return `${new Date(t.start).toISOString()} to ${new Date(t.end).toISOString()}`;
  return `every ${t.days.join(', ')} ${t.startTime}–${t.endTime} ${t.timeZone} until ${new Date(t.until).toISOString()}`;
}
