/**
 * Maintenance windows: pure. What a window looks like, when its occurrences are (a recurring one by the wall clock of
 * its zone, exact across DST: runbooks/calendar.ts), which alerts it holds, and what a request to make one must say.
 * db/maintenance/windows.ts keeps them; workflows/maintenance/maintenanceWindow.ts ends each occurrence on time.
 */
import { z } from 'zod';
import { type Matcher, matcherSchema, matches } from './alertRouting';
import { isTimeZone, wallClockOf, wallClockToInstant } from './calendar';
import { TEXT_LIMITS, unstorableText } from './limits';
import { INCIDENT_TYPE_IDS, TIERS, type IncidentTypeId, type Tier } from './types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone, e.g. 2026-11-25T16:00:00Z' });
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM, e.g. 02:00');
const storable = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !unstorableText(s), { error: 'text without a NUL or an unpaired surrogate' });

/** The body of POST /maintenance. */
export const WindowRequestSchema = z.strictObject({
  reason: storable(TEXT_LIMITS.reason).refine((s) => s.trim().length > 0, {
    error: 'say why (it is audited and shown with every alert held)',
  }),
  tiers: z.array(z.enum(TIERS)).min(1).optional(),
  types: z.array(z.enum(INCIDENT_TYPE_IDS)).min(1).optional(),
  labels: z.record(z.string().min(1).max(64), matcherSchema).optional(),
  /** A single window: from (default now) to `to`. */
  from: instant.optional(),
  to: instant.optional(),
  /** A recurring window: on these weekdays, from startTime to endTime (wall clock in timeZone), until `until`. */
  weekly: z
    .strictObject({
      days: z.array(z.enum(WEEKDAY_NAMES)).min(1),
      start: clock,
      end: clock,
      timeZone: z.string().refine(isTimeZone, { error: 'an IANA time zone, e.g. Europe/Berlin' }),
      until: instant,
    })
    .optional(),
});
export type WindowRequest = z.infer<typeof WindowRequestSchema>;

export type WindowRefusal = { status: 400; error: string };

/** A window about to be made, or why not (one line naming what is wrong and what is accepted). */
export function planWindow(r: WindowRequest, now: number): { scope: WindowScope; timing: WindowTiming } | WindowRefusal {
  const refuse = (error: string): WindowRefusal => ({ status: 400, error });
  if (!r.tiers && !r.types && !r.labels)
    return refuse('a window needs a scope: tiers, types or labels (name every tier to hold everything)');
  const scope: WindowScope = {
    ...(r.tiers && { tiers: r.tiers }),
    ...(r.types && { types: r.types }),
    ...(r.labels && { labels: r.labels }),
  };
  if (r.weekly) {
    if (r.from !== undefined || r.to !== undefined) return refuse('give either from/to (one window) or weekly (a recurring one), not both');
    const w = r.weekly;
    const until = Date.parse(w.until);
    if (until <= now) return refuse('weekly.until is in the past');
    if (until - now > MAX_RECURRENCE_DAYS * DAY)
      return refuse(`weekly.until is more than ${MAX_RECURRENCE_DAYS} days ahead; every window ends`);
    const length = minutesOf(w.end) - minutesOf(w.start);
    const span = length > 0 ? length : length + 24 * 60;
    if (span * 60_000 > MAX_WINDOW_HOURS * HOUR)
      return refuse(`weekly.start to weekly.end is ${span / 60} hours; a window lasts at most ${MAX_WINDOW_HOURS} hours`);
    const timing: WindowTiming = {
      kind: 'weekly',
      days: [...new Set(w.days)],
      startTime: w.start,
      endTime: w.end,
      timeZone: w.timeZone,
      from: now,
      until,
    };
    if (!nextOccurrence(timing, now)) return refuse('weekly: no occurrence before weekly.until');
    return { scope, timing };
  }
  if (r.to === undefined) return refuse('a window needs an end: to (one window) or weekly (recurring); every window ends');
  const start = r.from === undefined ? now : Date.parse(r.from);
  const end = Date.parse(r.to);
  if (end <= start) return refuse('to must be after from');
  if (end <= now) return refuse('to is in the past: a window there holds nothing');
  if (end - start > MAX_WINDOW_HOURS * HOUR)
    return refuse(`from to to is ${Math.round(((end - start) / HOUR) * 10) / 10} hours; a window lasts at most ${MAX_WINDOW_HOURS} hours`);
  if (start - now > MAX_RECURRENCE_DAYS * DAY) return refuse(`from is more than ${MAX_RECURRENCE_DAYS} days ahead`);
  return { scope, timing: { kind: 'once', start, end } };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

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

/** What a window looks at in an alert: after routing, its type and tier, and the labels the source sent. */
export interface ScopedAlert {
  type: IncidentTypeId;
  tier: Tier;
  labels: Record<string, string>;
}

/**
 * Whether a window holds this alert. A security breach is held only by a window that names the type: planned work on
 * a tier is no reason to sleep through an intrusion.
 */
export function windowHolds(scope: WindowScope, a: ScopedAlert): boolean {
  if (scope.tiers && !scope.tiers.includes(a.tier)) return false;
  if (scope.types ? !scope.types.includes(a.type) : a.type === 'security-breach') return false;
  return Object.entries(scope.labels ?? {}).every(([name, m]) => matches(m, a.labels[name]));
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
