/**
 * On-call schedules as data (DBOPS_SCHEDULES): for a role, layers of rotations beside the roster. Pure: parsing and
 * validation only; lib/schedules.ts reads the file, runbooks/onCall.ts resolves who holds a role when.
 */
import { z } from 'zod';
import { isTimeZone } from './calendar';
import type { Roster } from './roster';
import { ROLES, type Role } from './types';
import { notInRunbook, runbookName } from './vocabulary';

/** Weekdays as a schedule file writes them; index + 1 is the ISO weekday (1 = Monday). */
export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];
export const isoWeekday = (name: WeekdayName) => WEEKDAY_NAMES.indexOf(name) + 1;

export const ROTATION_UNITS = ['hours', 'days', 'weeks'] as const;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a wall-clock time 'HH:MM' (00:00 to 23:59)");

const timeZone = z.string().refine(isTimeZone, { error: 'an IANA time zone, e.g. Europe/Berlin or America/New_York' });

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date 'YYYY-MM-DD'")
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), { error: 'a date that exists' });

/**
 * A window of the week in which a layer applies: on each listed weekday from `from` to `to`, local time; a `to` at
 * or before `from` ends the next day (nights: 18:00 to 09:00; weekends: sat and sun, 00:00 to 00:00).
 */
const RestrictionSchema = z.object({
  weekdays: z.array(z.enum(WEEKDAY_NAMES)).min(1),
  from: clockTime,
  to: clockTime,
});

/**
 * One rotation: participants (roster ids) take the role in turn, each for `rotation.every` `rotation.unit`, handing
 * over at `handoff.time` in `timeZone`. The first shift starts on `start` (for weeks with a `handoff.weekday`: on the
 * first such weekday from `start` on). Lengths count wall-clock time, so a handoff stays at its local time across DST.
 */
const LayerSchema = z
  .object({
    name: z.string().min(1).max(64).optional(),
    participants: z.array(z.string().min(1)).min(1),
    rotation: z.object({ every: z.number().int().min(1).max(1000), unit: z.enum(ROTATION_UNITS) }),
    handoff: z.object({ time: clockTime, weekday: z.enum(WEEKDAY_NAMES).optional() }),
    timeZone,
    start: localDate,
    restrictions: z.array(RestrictionSchema).min(1).optional(),
  })
  .superRefine((layer, ctx) => {
    if (layer.handoff.weekday && layer.rotation.unit !== 'weeks')
      ctx.addIssue({ code: 'custom', path: ['handoff', 'weekday'], message: 'only for a rotation in weeks' });
  });

/** A role's schedule: a later layer wins wherever it covers. */
const ScheduleSchema = z.object({ role: runbookName, layers: z.array(LayerSchema).min(1) });

export const SchedulesSchema = z.object({ schedules: z.array(ScheduleSchema) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.schedules.forEach((s, i) => {
    if (seen.has(s.role)) ctx.addIssue({ code: 'custom', path: ['schedules', i, 'role'], message: `a second schedule for '${s.role}'` });
    seen.add(s.role);
  });
});

export type Layer = z.infer<typeof LayerSchema>;
export type Restriction = z.infer<typeof RestrictionSchema>;
export type Schedule = z.infer<typeof ScheduleSchema>;
export type Schedules = z.infer<typeof SchedulesSchema>;

/** No schedules: every role is held by its people on the roster (how dbops worked before schedules). */
export const NO_SCHEDULES: Schedules = { schedules: [] };

/**
 * Parses a schedules file, naming each bad field and what is accepted. Each schedule's role is one of `roles` (the
 * runbook in force's; default the shipped ones). With a roster, every participant must be on it (a person removed from
 * the roster later simply holds nothing: runbooks/onCall.ts skips them).
 */
export function parseSchedules(data: unknown, source = 'schedules', roster?: Roster, roles: readonly Role[] = ROLES): Schedules {
  const result = SchedulesSchema.safeParse(data);
  const problems = result.success
    ? [
        ...result.data.schedules.flatMap((s, i) => notInRunbook(`schedules.${i}.role`, s.role, 'a role', roles) ?? []),
        ...(roster ? unknownParticipants(result.data, roster) : []),
      ]
    : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (problems.length || !result.success) throw new Error(`${source} is invalid: ${problems.join('; ')}`);
  return result.data;
}

function unknownParticipants(schedules: Schedules, roster: Roster): string[] {
  const known = new Set(roster.people.map((p) => p.id));
  return schedules.schedules.flatMap((s, i) =>
    s.layers.flatMap((l, j) =>
      l.participants.flatMap((id, k) =>
        known.has(id) ? [] : [`schedules.${i}.layers.${j}.participants.${k}: '${id}' is not on the roster`],
      ),
    ),
  );
}
