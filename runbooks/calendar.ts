import type { BusinessCalendar } from './types';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// One formatter per zone: making one costs far more than using it, and on-call resolution asks thousands of times.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

/** The wall-clock date and time of an instant in a time zone (pure: Intl only, no clock). */
export function localParts(ms: number, timeZone: string): LocalParts {
  const fmt = formatterOf(timeZone);
  const parts = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday],
  };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
function zoneOffset(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(ms / MINUTE) * MINUTE;
}

// Each zone's offsets by UTC day: the offset at the day's start and, on a day the zone changes it, the minute it
// does (no zone changes its offset twice in a day). Exact, and a year of on-call shifts costs about two Intl calls
// a day instead of several per conversion. Bounded: a long-running process forgets and starts again.
interface DayOffsets {
  start: number;
  changeAt?: number;
  after: number;
}
const MAX_CACHED_DAYS = 50_000;
const offsetsByDay = new Map<string, Map<number, DayOffsets>>();

function dayOffsets(day: number, timeZone: string): DayOffsets {
  const from = day * DAY;
  const start = zoneOffset(from, timeZone);
  const after = zoneOffset(from + DAY, timeZone);
  if (start === after) return { start, after };
  let lo = from;
  let hi = from + DAY;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (zoneOffset(mid, timeZone) === start) lo = mid;
    else hi = mid;
  }
  return { start, changeAt: hi, after };
}

function cachedOffset(ms: number, timeZone: string): number {
  let zone = offsetsByDay.get(timeZone);
  if (!zone) offsetsByDay.set(timeZone, (zone = new Map()));
  const day = Math.floor(ms / DAY);
  let offsets = zone.get(day);
  if (!offsets) {
    if (zone.size >= MAX_CACHED_DAYS) zone.clear();
    offsets = dayOffsets(day, timeZone);
    zone.set(day, offsets);
  }
  return offsets.changeAt !== undefined && ms >= offsets.changeAt ? offsets.after : offsets.start;
}

/** The wall-clock time of an instant in a zone, as the UTC milliseconds of its fields (to the minute). */
export function wallClockOf(ms: number, timeZone: string): number {
  return Math.floor(ms / MINUTE) * MINUTE + cachedOffset(ms, timeZone);
}

/** The instant at which a wall-clock time occurs in a zone (the later one across a DST gap). */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour);
  const first = guess - zoneOffset(guess, timeZone);
  return guess - zoneOffset(first, timeZone);
}

/**
 * The instant a wall-clock time occurs in a zone, the wall-clock time given as the UTC milliseconds of its fields
 * (`Date.UTC(y, m - 1, d, h, min)`). A time that occurs twice (the hour repeated when clocks go back) is its first
 * occurrence; one that does not occur (skipped when clocks go forward) is the first instant after the gap. Both
 * rules keep later wall-clock times at later-or-equal instants, which a rotation's handoffs rely on.
 */
export function wallClockToInstant(wallClock: number, timeZone: string): number {
  // Offsets a day either side: no zone changes its offset twice within two days.
  const before = cachedOffset(wallClock - DAY, timeZone);
  const after = cachedOffset(wallClock + DAY, timeZone);
  if (before === after) return wallClock - before;
  const fits = (instant: number) => cachedOffset(instant, timeZone) === wallClock - instant;
  const candidates = [wallClock - before, wallClock - after].filter(fits);
  if (candidates.length) return Math.min(...candidates);
  // In the gap: the transition lies between the two readings; find its minute.
  let lo = wallClock - after;
  let hi = wallClock - before;
  while (hi - lo > MINUTE) {
    const mid = lo + Math.max(MINUTE, Math.floor((hi - lo) / 2 / MINUTE) * MINUTE);
    if (cachedOffset(mid, timeZone) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Whether the runtime knows an IANA time zone by this name. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The first start of a business day strictly after `afterMs`, in the calendar's zone. */
export function nextBusinessDayStart(afterMs: number, calendar: BusinessCalendar): number {
  const today = localParts(afterMs, calendar.timeZone);
  for (let offset = 0; offset <= 14; offset++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const isoWeekday = ((date.getUTCDay() + 6) % 7) + 1;
    if (!calendar.workdays.includes(isoWeekday)) continue;
    const start = zonedTimeToUtc(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      calendar.dayStartHour,
      calendar.timeZone,
    );
    if (start > afterMs) return start;
  }
  // Only reachable with an empty workday list, which catalog validation rejects.
  return afterMs + DAY;
}
