/**
 * Overrides: a person takes a role for a window, and a swap is two overrides made as one. Pure: who an override
 * replaces, who may make or remove it, and what a request must look like; db/oncall/overrides.ts keeps them.
 */
import { z } from 'zod';
import { segmentsBetween, type Override } from './onCall';
import type { Schedules } from './onCallSchedule';
import { TEXT_LIMITS, unstorableText } from './limits';
import type { Roster } from './roster';
import type { Role } from './types';
import { runbookName } from './vocabulary';

const DAY = 24 * 3_600_000;

/** Roles that may override anyone's shift; anybody else only their own. */
export const OVERRIDE_ENTITLED_ROLES: readonly Role[] = ['database-lead', 'engineering-manager'];

/** Longest override: a longer change of duty belongs in the schedule file. */
export const MAX_OVERRIDE_DAYS = 92;

const instant = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone, e.g. 2026-11-25T16:00:00Z' });
const storable = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !unstorableText(s), { error: 'text without a NUL or an unpaired surrogate' });

/** The body of POST /oncall/overrides. With `swap`, whoever `person` replaces takes `person`'s window `swap` in return. */
export const OverrideRequestSchema = z.strictObject({
  /** A role of the runbook in force (checked by makeOverride against it). */
  role: runbookName,
  person: storable(TEXT_LIMITS.actor).min(1),
  from: instant,
  to: instant,
  reason: storable(TEXT_LIMITS.reason).optional(),
  swap: z.strictObject({ from: instant, to: instant }).optional(),
});
export type OverrideRequest = z.infer<typeof OverrideRequestSchema>;

/** An override about to be made, with the people it takes the role from (kept, so they may remove it). */
export interface PlannedOverride {
  role: Role;
  person: string;
  start: number;
  end: number;
  replaces: string[];
}

export interface Caller {
  id: string;
  roles: readonly Role[];
}

export type Refusal = { status: 400 | 403; error: string };

/** The people who hold a role at some instant of [start, end): those an override of that window replaces. */
export function replacedBy(
  schedules: Schedules,
  overrides: readonly Override[],
  roster: Roster,
  role: Role,
  start: number,
  end: number,
): string[] {
  const ids = segmentsBetween(schedules, overrides, roster, role, start, end).flatMap((s) => s.holders.map((p) => p.id));
  return [...new Set(ids)];
}

/** Whether a caller may make or remove overrides replacing these people: entitled, or the only one replaced. */
export function mayOverride(caller: Caller, replaces: readonly string[]): boolean {
  if (caller.roles.some((r) => OVERRIDE_ENTITLED_ROLES.includes(r))) return true;
  return replaces.length > 0 && replaces.every((id) => id === caller.id);
}

export const notEntitled = (replaces: readonly string[]): Refusal => ({
  status: 403,
  error:
    `not entitled: an override is made or removed by a ${OVERRIDE_ENTITLED_ROLES.join(' or ')}, or by the person it replaces ` +
    `(${replaces.length ? replaces.join(', ') : 'nobody: the window is a gap'}); nothing was changed`,
});

function window(
  role: Role,
  person: string,
  from: string,
  to: string,
  now: number,
  field: string,
): Omit<PlannedOverride, 'replaces'> | Refusal {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (end <= start) return { status: 400, error: `${field}to must be after ${field}from` };
  if (end <= now) return { status: 400, error: `${field}to is in the past: an override there changes nothing` };
  if (end - start > MAX_OVERRIDE_DAYS * DAY)
    return { status: 400, error: `${field}from to ${field}to is longer than ${MAX_OVERRIDE_DAYS} days` };
  return { role, person, start, end };
}

/**
 * What a request makes (one override, or the two of a swap), or why not. The caller must be entitled or the only
 * person replaced in every override made: so a swap, which replaces two people, takes an entitled person.
 */
export function planOverrides(
  request: OverrideRequest,
  caller: Caller,
  ctx: { schedules: Schedules; overrides: readonly Override[]; roster: Roster; now: number },
): PlannedOverride[] | Refusal {
  if (!ctx.roster.people.some((p) => p.id === request.person))
    return { status: 400, error: `person: '${request.person}' is not on the roster in force` };
  const first = window(request.role, request.person, request.from, request.to, ctx.now, '');
  if ('error' in first) return first;
  const planned: PlannedOverride[] = [
    { ...first, replaces: replacedBy(ctx.schedules, ctx.overrides, ctx.roster, first.role, first.start, first.end) },
  ];
  if (request.swap) {
    const [other, ...more] = planned[0].replaces;
    if (!other || more.length || other === request.person)
      return {
        status: 400,
        error: `swap: ${request.person}'s window must be held by one other person (it is held by ${planned[0].replaces.join(', ') || 'nobody'})`,
      };
    const second = window(request.role, other, request.swap.from, request.swap.to, ctx.now, 'swap.');
    if ('error' in second) return second;
    if (second.start < first.end && first.start < second.end) return { status: 400, error: 'swap: the two windows overlap' };
    const replaces = replacedBy(ctx.schedules, ctx.overrides, ctx.roster, second.role, second.start, second.end);
    if (replaces.length !== 1 || replaces[0] !== request.person)
      return {
        status: 400,
        error: `swap: the swap window must be held by ${request.person} alone (it is held by ${replaces.join(', ') || 'nobody'})`,
      };
    planned.push({ ...second, replaces });
  }
  const refused = planned.find((p) => !mayOverride(caller, p.replaces));
  return refused ? notEntitled(refused.replaces) : planned;
}
