/** What a request to make a maintenance window must say (POST /maintenance, `dbops maintenance create`). Pure. */
import { z } from 'zod';
import { matcherSchema } from './alertRouting';
import { isTimeZone } from './calendar';
import { TEXT_LIMITS, unstorableText } from './limits';
import {
  DAY,
  HOUR,
  MAX_RECURRENCE_DAYS,
  MAX_WINDOW_HOURS,
  minutesOf,
  nextOccurrence,
  WEEKDAY_NAMES,
  type WindowScope,
  type WindowTiming,
} from './maintenance';
import { BUILT_IN_RUNBOOK, type Runbook } from './runbook';
import { notInRunbook, runbookName } from './vocabulary';

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
  /** Tiers and incident types of the runbook in force (planWindow checks them against it). */
  tiers: z.array(runbookName).min(1).optional(),
  types: z.array(runbookName).min(1).optional(),
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
export function planWindow(
  r: WindowRequest,
  now: number,
  runbook: Pick<Runbook, 'tiers' | 'incidentTypes'> = BUILT_IN_RUNBOOK,
): { scope: WindowScope; timing: WindowTiming } | WindowRefusal {
  const refuse = (error: string): WindowRefusal => ({ status: 400, error });
  const unknown =
    notInRunbook('tiers', r.tiers, 'a tier', Object.keys(runbook.tiers)) ??
    notInRunbook('types', r.types, 'an incident type', Object.keys(runbook.incidentTypes));
  if (unknown) return refuse(unknown);
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
