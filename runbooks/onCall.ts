/**
 * Who holds a role at an instant: overrides, then the role's schedule (the last layer that covers wins), else the
 * roster. Pure and exact across DST in any zone, like the business calendar: a rotation counts wall-clock time, so a
 * 09:00 handoff is at 09:00 local on both sides of a clock change. Workflows and activities may call it.
 */
import { wallClockOf, wallClockToInstant } from './calendar';
import { isoWeekday, type Layer, type Restriction, type Schedule, type Schedules } from './onCallSchedule';
import { peopleWithRole, type Person, type Roster } from './roster';
import type { Role } from './types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT_MS = { hours: HOUR, days: DAY, weeks: 7 * DAY } as const;

/** A person taking a role for the window [start, end) (ms since the epoch). Later entries win where they overlap. */
export interface Override {
  id: string;
  role: Role;
  person: string;
  start: number;
  end: number;
}

/** Why the holders hold the role: an override, a layer of its schedule (by index), the roster, or nobody. */
export type HoldSource =
  { kind: 'override'; overrideId: string } | { kind: 'layer'; layer: number; name?: string } | { kind: 'roster' } | { kind: 'gap' };

export interface Holding {
  holders: Person[];
  source: HoldSource;
}

/** A stretch of time with one holding: [start, end). */
export interface Segment extends Holding {
  start: number;
  end: number;
}

/** One turn of a layer's rotation. */
export interface Shift {
  index: number;
  person: string;
  start: number;
  end: number;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const weekdayOfDay = (dayWallClock: number) => ((new Date(dayWallClock).getUTCDay() + 6) % 7) + 1;

/** The wall-clock time of a layer's first handoff. */
function epochOf(layer: Layer): number {
  let day = Date.parse(`${layer.start}T00:00:00Z`);
  if (layer.handoff.weekday) while (weekdayOfDay(day) !== isoWeekday(layer.handoff.weekday)) day += DAY;
  return day + minutesOf(layer.handoff.time) * MINUTE;
}

type Rotation = { epoch: number; length: number; startOf: (k: number) => number };
// A layer's rotation, made once per layer object: resolving a year asks for it at every boundary.
const rotations = new WeakMap<Layer, Rotation>();

function rotation(layer: Layer): Rotation {
  let r = rotations.get(layer);
  if (!r) {
    const epoch = epochOf(layer);
    const length = layer.rotation.every * UNIT_MS[layer.rotation.unit];
    r = { epoch, length, startOf: (k: number) => wallClockToInstant(epoch + k * length, layer.timeZone) };
    rotations.set(layer, r);
  }
  return r;
}

/** The layer's shift at an instant (ignoring restrictions), or undefined before its first handoff. */
export function shiftAt(layer: Layer, at: number): Shift | undefined {
  const { epoch, length, startOf } = rotation(layer);
  // The wall clock gives the turn to within one; the instants decide (a repeated or skipped hour moves a boundary).
  let k = Math.max(0, Math.floor((wallClockOf(at, layer.timeZone) - epoch) / length));
  let start = startOf(k);
  while (k > 0 && start > at) start = startOf(--k);
  if (start > at) return undefined;
  let end = startOf(k + 1);
  while (end <= at) [start, end] = [end, startOf(++k + 1)];
  return { index: k, person: layer.participants[k % layer.participants.length], start, end };
}

/** A restriction's window that opens on a day (given as the wall-clock midnight of that day). */
function restrictionWindow(r: Restriction, day: number, timeZone: string): [number, number] {
  const from = minutesOf(r.from);
  const to = minutesOf(r.to);
  const endDay = to > from ? day : day + DAY;
  return [wallClockToInstant(day + from * MINUTE, timeZone), wallClockToInstant(endDay + to * MINUTE, timeZone)];
}

const opensOn = (r: Restriction, day: number) => r.weekdays.some((w) => isoWeekday(w) === weekdayOfDay(day));

/** Whether a layer applies at an instant: always without restrictions, else inside one of their windows. */
export function withinRestrictions(layer: Layer, at: number): boolean {
  if (!layer.restrictions) return true;
  const today = Math.floor(wallClockOf(at, layer.timeZone) / DAY) * DAY;
  // A window that opened yesterday may still be open (nights, weekends).
  return layer.restrictions.some((r) =>
    [today - DAY, today].some((day) => {
      if (!opensOn(r, day)) return false;
      const [start, end] = restrictionWindow(r, day, layer.timeZone);
      return start <= at && at < end;
    }),
  );
}

// People by id, once per roster object: resolving a year looks a holder up at every boundary.
const peopleById = new WeakMap<Roster, Map<string, Person>>();
function personOn(roster: Roster, id: string): Person | undefined {
  let byId = peopleById.get(roster);
  if (!byId) peopleById.set(roster, (byId = new Map(roster.people.map((p) => [p.id, p]))));
  return byId.get(id);
}

/** The layer's holder at an instant: undefined outside its restrictions, before its start, or when they left the roster. */
export function layerHolderAt(layer: Layer, roster: Roster, at: number): Person | undefined {
  if (!withinRestrictions(layer, at)) return undefined;
  const shift = shiftAt(layer, at);
  return shift && personOn(roster, shift.person);
}

/** Who holds a role at an instant, and why. A person no longer on the roster holds nothing. */
export function holdingAt(schedules: Schedules, overrides: readonly Override[], roster: Roster, role: Role, at: number): Holding {
  return holdingIn(
    schedules.schedules.find((s) => s.role === role),
    overrides,
    roster,
    role,
    at,
  );
}

/** holdingAt with the role's schedule already found (segmentsBetween asks at every boundary of a year). */
function holdingIn(schedule: Schedule | undefined, overrides: readonly Override[], roster: Roster, role: Role, at: number): Holding {
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = overrides[i];
    const person = o.role === role && o.start <= at && at < o.end ? personOn(roster, o.person) : undefined;
    if (person) return { holders: [person], source: { kind: 'override', overrideId: o.id } };
  }
  if (!schedule) {
    const people = peopleWithRole(roster, role);
    return people.length ? { holders: people, source: { kind: 'roster' } } : { holders: [], source: { kind: 'gap' } };
  }
  for (let i = schedule.layers.length - 1; i >= 0; i--) {
    const person = layerHolderAt(schedule.layers[i], roster, at);
    if (person) return { holders: [person], source: { kind: 'layer', layer: i, name: schedule.layers[i].name } };
  }
  return { holders: [], source: { kind: 'gap' } };
}

/** The people holding a role at an instant (none: a gap; several: a role only the roster assigns). */
export function holdersAt(schedules: Schedules, overrides: readonly Override[], roster: Roster, role: Role, at: number): Person[] {
  return holdingAt(schedules, overrides, roster, role, at).holders;
}

/** Every instant in (from, to) at which a layer's holder may change: handoffs and restriction windows' edges. */
function layerBoundaries(layer: Layer, from: number, to: number): number[] {
  const points: number[] = [];
  const { startOf } = rotation(layer);
  for (let k = (shiftAt(layer, from)?.index ?? -1) + 1, at = startOf(k); at < to; at = startOf(++k)) points.push(at);
  const first = Math.floor(wallClockOf(from, layer.timeZone) / DAY) * DAY - DAY;
  const last = wallClockOf(to, layer.timeZone) + DAY;
  for (const r of layer.restrictions ?? [])
    for (let day = first; day <= last; day += DAY) if (opensOn(r, day)) points.push(...restrictionWindow(r, day, layer.timeZone));
  return points;
}

/** The same source (kind, override or layer) and the same people, in order. */
function sameHolding(a: Holding, b: Holding): boolean {
  const [x, y] = [a.source, b.source];
  if (x.kind !== y.kind) return false;
  if (x.kind === 'override' && x.overrideId !== (y as typeof x).overrideId) return false;
  if (x.kind === 'layer' && (x.layer !== (y as typeof x).layer || x.name !== (y as typeof x).name)) return false;
  return a.holders.length === b.holders.length && a.holders.every((p, i) => p.id === b.holders[i].id);
}

/** Who holds a role over [from, to), as consecutive segments (a gap is a segment with no holders). */
export function segmentsBetween(
  schedules: Schedules,
  overrides: readonly Override[],
  roster: Roster,
  role: Role,
  from: number,
  to: number,
): Segment[] {
  const schedule = schedules.schedules.find((s) => s.role === role);
  const layers = schedule?.layers ?? [];
  // The role's own overrides only, once: holdingAt looks through them at every boundary.
  const mine = overrides.filter((o) => o.role === role);
  const boundaries = [...mine.flatMap((o) => [o.start, o.end]), ...layers.flatMap((l) => layerBoundaries(l, from, to))];
  const points = [from, ...[...new Set(boundaries)].filter((p) => p > from && p < to).sort((a, b) => a - b)];
  const segments: Segment[] = [];
  points.forEach((start, i) => {
    const holding = holdingIn(schedule, mine, roster, role, start);
    const end = points[i + 1] ?? to;
    const previous = segments.at(-1);
    if (previous && sameHolding(previous, holding)) previous.end = end;
    else segments.push({ ...holding, start, end });
  });
  return segments;
}

/** A holding from an instant until it changes; `until` absent: no change within the horizon looked at. */
export interface Turn extends Holding {
  from: number;
  until?: number;
}

/** How far ahead "next" looks: a role that does not change within it has no next holder. */
export const NEXT_HORIZON_MS = 62 * DAY;

/** Who holds a role now and until when, and who holds it next and until when. */
export function onCallAt(
  schedules: Schedules,
  overrides: readonly Override[],
  roster: Roster,
  role: Role,
  at: number,
  horizonMs = NEXT_HORIZON_MS,
): { now: Turn; next?: Turn } {
  const [now, next, after] = segmentsBetween(schedules, overrides, roster, role, at, at + horizonMs);
  const turn = (s: Segment, closed: boolean): Turn => ({
    holders: s.holders,
    source: s.source,
    from: s.start,
    ...(closed && { until: s.end }),
  });
  return { now: turn(now, Boolean(next)), ...(next && { next: turn(next, Boolean(after)) }) };
}
