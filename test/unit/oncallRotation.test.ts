import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localParts, wallClockOf } from '../../runbooks/calendar';
import { holdersAt, onCallAt, segmentsBetween, shiftAt, type Override } from '../../runbooks/onCall';
import { WEEKDAY_NAMES, parseSchedules, type Layer, type Schedules } from '../../runbooks/onCallSchedule';
import { loadRoster } from '../../lib/roster';
import { weeklyRotation } from '../support/onCallLayers';

/**
 * The on-call resolver's properties over a year, in zones with DST in either hemisphere and one with a half-hour
 * offset and none. Intl (localParts) is the oracle for wall-clock time; the resolver converts the other way.
 */
const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'] as const;
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_END = Date.UTC(2027, 0, 1);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const RUNS = { numRuns: 60 };

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (h: number, m: number) => `${pad(h)}:${pad(m)}`;
const localTime = (ms: number, zone: string) => {
  const p = localParts(ms, zone);
  return hhmm(p.hour, p.minute);
};
const people = ['oscar', 'bea', 'dana', 'erin', 'sam'];

const instantInYear = fc.integer({ min: YEAR_START, max: YEAR_END - 1 });
const anyTime = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(([h, m]) => hhmm(h, m));
// Restriction edges away from the small hours in which these zones change their clocks (handoffs test those hours).
const dayTime = fc.tuple(fc.constantFrom(0, 6, 8, 9, 12, 17, 18, 20, 22, 23), fc.constantFrom(0, 30)).map(([h, m]) => hhmm(h, m));
const startDate = fc.integer({ min: 0, max: 200 }).map((d) => new Date(Date.UTC(2025, 11, 1) + d * DAY).toISOString().slice(0, 10));

const layerOf = (zone: string, opts: { units?: Layer['rotation']['unit'][]; restricted?: boolean } = {}) =>
  fc
    .record({
      participants: fc.shuffledSubarray(people, { minLength: 1 }),
      unit: fc.constantFrom(...(opts.units ?? (['hours', 'days', 'weeks'] as const))),
      every: fc.integer({ min: 1, max: 3 }),
      time: anyTime,
      weekday: fc.option(fc.constantFrom(...WEEKDAY_NAMES), { nil: undefined }),
      start: startDate,
      restrictions: opts.restricted
        ? fc.array(fc.record({ weekdays: fc.subarray([...WEEKDAY_NAMES], { minLength: 1 }), from: dayTime, to: dayTime }), {
            minLength: 1,
            maxLength: 3,
          })
        : fc.constant(undefined),
    })
    .map((l): Layer => ({
      participants: l.participants,
      rotation: { every: l.unit === 'hours' ? l.every * 4 : l.every, unit: l.unit },
      handoff: { time: l.time, ...(l.unit === 'weeks' && l.weekday && { weekday: l.weekday }) },
      timeZone: zone,
      start: l.start,
      ...(l.restrictions && { restrictions: l.restrictions }),
    }));

const scheduleOf = (...layers: Layer[]): Schedules =>
  parseSchedules({ schedules: [{ role: 'on-call-engineer', layers }] }, 'generated schedules', roster);

/** The instants at which a zone changes its offset during the year (found by scanning, independently of the resolver). */
const changesOf = new Map<string, number[]>();
function offsetChanges(zone: string): number[] {
  const offset = (ms: number) => {
    const p = localParts(ms, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - ms;
  };
  if (!changesOf.has(zone)) {
    const changes: number[] = [];
    // Hour by hour, then the quarter hour within it (zones change on a quarter hour at the finest).
    for (let t = YEAR_START; t < YEAR_END; t += 60 * MINUTE)
      if (offset(t) !== offset(t + 60 * MINUTE)) {
        let q = t + 15 * MINUTE;
        while (offset(q) === offset(t)) q += 15 * MINUTE;
        changes.push(q);
      }
    changesOf.set(zone, changes);
  }
  return changesOf.get(zone)!;
}

describe.each(ZONES)('on-call rotations in %s', (zone) => {
  it('has the DST changes the properties are about', () => {
    // Two a year where the zone has DST; Kolkata has none (and a half-hour offset).
    expect(offsetChanges(zone)).toHaveLength(zone === 'Asia/Kolkata' ? 0 : 2);
  });

  it('gives every covered instant exactly one holder per layer: the shifts tile time', () => {
    fc.assert(
      fc.property(layerOf(zone), instantInYear, (layer, at) => {
        const shift = shiftAt(layer, at);
        if (!shift) {
          // Uncovered only before the first handoff (within a week and a day of the start date).
          let first = shiftAt(layer, Date.parse(layer.start) + 9 * DAY)!;
          while (first.index > 0) first = shiftAt(layer, first.start - 1)!;
          expect(at).toBeLessThan(first.start);
          return;
        }
        expect(shift.start).toBeLessThanOrEqual(at);
        expect(at).toBeLessThan(shift.end);
        expect(shift.person).toBe(layer.participants[shift.index % layer.participants.length]);
        // Its neighbours abut it: no instant between two shifts, none in two.
        const next = shiftAt(layer, shift.end)!;
        expect([next.index, next.start]).toEqual([shift.index + 1, shift.end]);
        if (shift.index > 0) expect(shiftAt(layer, shift.start - 1)!).toMatchObject({ index: shift.index - 1, end: shift.start });
        else expect(shiftAt(layer, shift.start - 1)).toBeUndefined();
        expect(holdersAt(scheduleOf(layer), [], roster, 'on-call-engineer', at).map((p) => p.id)).toEqual([shift.person]);
      }),
      RUNS,
    );
  });

  it('hands over at the wall-clock time on both sides of each DST change', () => {
    const changes = offsetChanges(zone);
    // Zones without DST: a stretch in the middle of the year stands in for "around a change".
    const around = changes.length ? changes : [YEAR_START + 180 * DAY];
    fc.assert(
      fc.property(layerOf(zone, { units: ['days', 'weeks'] }), (layer) => {
        for (const change of around) {
          // Every handoff within two weeks either side of the change (and a first one, if the layer starts later).
          let shift = shiftAt(layer, change - 15 * DAY) ?? shiftAt(layer, YEAR_END)!;
          for (; shift.start < change + 15 * DAY; shift = shiftAt(layer, shift.end)!) {
            if (shift.index === 0 && shift.start < change - 15 * DAY) continue;
            const local = localTime(shift.start, zone);
            if (local !== layer.handoff.time) {
              // Only a wall-clock time the clocks skip that day may move: to the first instant after the gap.
              expect(changes, `${new Date(shift.start).toISOString()} at ${local}`).toContain(shift.start);
              expect(localTime(shift.start - MINUTE, zone) < layer.handoff.time).toBe(true);
              expect(local > layer.handoff.time).toBe(true);
            }
            if (layer.handoff.weekday) expect(WEEKDAY_NAMES[localParts(shift.start, zone).weekday - 1]).toBe(layer.handoff.weekday);
          }
        }
      }),
      RUNS,
    );
  });

  it('makes a day of a daily rotation 23 or 25 hours long when the clocks change within it', () => {
    const layer: Layer = {
      participants: ['oscar', 'bea'],
      rotation: { every: 1, unit: 'days' },
      handoff: { time: '09:00' },
      timeZone: zone,
      start: '2026-01-01',
    };
    const lengths = offsetChanges(zone).map((change) => {
      const shift = shiftAt(layer, change)!;
      return (shift.end - shift.start) / (60 * MINUTE);
    });
    expect(lengths.sort()).toEqual(zone === 'Asia/Kolkata' ? [] : [23, 25]);
  });

  it('hands over in a repeated hour at its first occurrence, and in a skipped hour at the end of the gap', () => {
    for (const change of offsetChanges(zone)) {
      const before = localParts(change - MINUTE, zone);
      const after = localParts(change, zone);
      const repeated = after.hour * 60 + after.minute <= before.hour * 60 + before.minute;
      // Half past the hour the clocks repeat (02:30 twice), or half past the hour they skip (no 02:30 at all).
      const minutes = after.hour * 60 + after.minute + (repeated ? 30 : -30);
      const layer: Layer = {
        participants: ['oscar', 'bea'],
        rotation: { every: 1, unit: 'days' },
        handoff: { time: hhmm(Math.floor(minutes / 60), minutes % 60) },
        timeZone: zone,
        start: `${before.year}-${pad(before.month)}-${pad(before.day)}`,
      };
      expect(shiftAt(layer, change + 2 * 60 * MINUTE)!.start).toBe(repeated ? change - 30 * MINUTE : change);
    }
  });

  it('keeps a restricted layer to its windows, by local weekday and time', () => {
    fc.assert(
      fc.property(layerOf(zone, { restricted: true }), instantInYear, (layer, at) => {
        if (!shiftAt(layer, at)) return;
        const p = localParts(at, zone);
        const minutes = p.hour * 60 + p.minute;
        const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
        const onDay = (weekdays: string[], iso: number) => weekdays.includes(WEEKDAY_NAMES[(iso + 6) % 7]);
        const inside = layer.restrictions!.some((r) => {
          const [from, to] = [toMinutes(r.from), toMinutes(r.to)];
          if (to > from) return onDay(r.weekdays, p.weekday) && from <= minutes && minutes < to;
          // Past midnight: from `from` on a listed day, or before `to` on the day after one.
          return (onDay(r.weekdays, p.weekday) && minutes >= from) || (onDay(r.weekdays, p.weekday - 1) && minutes < to);
        });
        const held = holdersAt(scheduleOf(layer), [], roster, 'on-call-engineer', at);
        expect(held.length, `${new Date(at).toISOString()} local ${localTime(at, zone)}`).toBe(inside ? 1 : 0);
      }),
      RUNS,
    );
  });

  it('lets an override win exactly inside its window, a later override over an earlier one', () => {
    const override = (i: number) =>
      fc
        .record({ person: fc.constantFrom(...people), start: instantInYear, minutes: fc.integer({ min: 1, max: 14 * 24 * 60 }) })
        .map((o): Override => ({
          id: String(i),
          role: 'on-call-engineer',
          person: o.person,
          start: o.start,
          end: o.start + o.minutes * MINUTE,
        }));
    fc.assert(
      fc.property(layerOf(zone), override(1), override(2), instantInYear, (layer, a, b, at) => {
        const schedules = scheduleOf(layer);
        const holder = (overrides: Override[], t: number) =>
          holdersAt(schedules, overrides, roster, 'on-call-engineer', t).map((p) => p.id);
        for (const t of [at, a.start - 1, a.start, a.end - 1, a.end, b.start - 1, b.start, b.end - 1, b.end]) {
          const winner = [b, a].find((o) => o.start <= t && t < o.end);
          expect(holder([a, b], t)).toEqual(winner ? [winner.person] : holder([], t));
        }
      }),
      RUNS,
    );
  });
});

describe('wall-clock conversion', () => {
  it('agrees with Intl on each side of a change, also one off the quarter hour (Goose Bay, 00:01 local in 1990)', () => {
    const intl = (ms: number, zone: string) => {
      const p = localParts(ms, zone);
      return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    };
    const changes: [string, number][] = [
      ['America/Goose_Bay', Date.parse('1990-04-01T04:01:00Z')],
      ...ZONES.flatMap((zone) => offsetChanges(zone).map((c): [string, number] => [zone, c])),
    ];
    for (const [zone, change] of changes)
      for (const t of [change - MINUTE, change, change + 59_999])
        expect(wallClockOf(t, zone), `${zone} ${new Date(t).toISOString()}`).toBe(intl(t, zone));
  });
});

describe('now and next', () => {
  const layer = weeklyRotation('Europe/Berlin', '2026-03-01');
  const schedules = scheduleOf(layer);

  it('names who holds the role until the handoff, and who next until theirs', () => {
    // Friday 27 March 2026, 12:00 in Berlin; clocks go forward on Sunday 29 March.
    const at = Date.parse('2026-03-27T11:00:00Z');
    const { now, next } = onCallAt(schedules, [], roster, 'on-call-engineer', at);
    expect(now.holders.map((p) => p.id)).toEqual(['bea']);
    expect(new Date(now.until!).toISOString()).toBe('2026-03-30T07:00:00.000Z'); // 09:00 CEST
    expect(next!.holders.map((p) => p.id)).toEqual(['oscar']);
    expect(new Date(next!.until!).toISOString()).toBe('2026-04-06T07:00:00.000Z');
  });

  it('puts an override between them, and has no until for a role only the roster assigns', () => {
    const at = Date.parse('2026-03-27T11:00:00Z');
    const cover: Override = { id: '1', role: 'on-call-engineer', person: 'dana', start: at + 3_600_000, end: at + 7_200_000 };
    const { now, next } = onCallAt(schedules, [cover], roster, 'on-call-engineer', at);
    expect(now.until).toBe(cover.start);
    expect(next).toMatchObject({ from: cover.start, until: cover.end, source: { kind: 'override', overrideId: '1' } });
    expect(onCallAt(schedules, [], roster, 'database-lead', at)).toEqual({
      now: { holders: [expect.objectContaining({ id: 'dana' })], source: { kind: 'roster' }, from: at },
    });
  });

  it('lists the shifts of a period as segments that tile it', () => {
    const from = Date.parse('2026-03-01T00:00:00Z');
    const to = Date.parse('2026-04-01T00:00:00Z');
    const segments = segmentsBetween(schedules, [], roster, 'on-call-engineer', from, to);
    expect(segments[0].start).toBe(from);
    expect(segments.at(-1)!.end).toBe(to);
    segments.slice(1).forEach((s, i) => expect(s.start).toBe(segments[i].end));
    // Before the first handoff (Monday 2 March, 09:00) nobody holds it: a gap.
    expect(segments[0]).toMatchObject({ holders: [], end: Date.parse('2026-03-02T08:00:00Z') });
  });
});
