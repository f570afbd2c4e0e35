import path from 'node:path';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { foldLine } from '../../lib/icalendar';
import { onCallFeed, type FeedSources, type FeedSubject } from '../../lib/onCallFeed';
import { loadRoster } from '../../lib/roster';
import { localParts } from '../../runbooks/calendar';
import { segmentsBetween, type Override } from '../../runbooks/onCall';
import type { Schedules } from '../../runbooks/onCallSchedule';
import { weeklyRotation } from '../support/onCallLayers';

/**
 * The calendar feed read back by Mozilla's parser (ical.js, independent of the writer): over a year in four zones,
 * DST changes included, every event is exactly one segment of the resolver (same instants, same people), at the
 * wall-clock time of its zone through the feed's own VTIMEZONE.
 */
const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'] as const;
const YEAR = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1) };
const HOUR = 3_600_000;

// Overrides whose edges fall in the repeated hour of Berlin's, New York's and Sydney's clock change (a local time
// there names two instants), and one at odd seconds.
const at = (iso: string) => Date.parse(iso);
const overrides: Override[] = [
  { id: '1', role: 'on-call-engineer', person: 'sam', start: at('2026-10-25T00:45:00Z'), end: at('2026-10-25T01:15:00Z') },
  { id: '2', role: 'on-call-engineer', person: 'sam', start: at('2026-11-01T05:30:00Z'), end: at('2026-11-01T06:30:00Z') },
  { id: '3', role: 'on-call-engineer', person: 'dana', start: at('2026-04-04T15:30:00Z'), end: at('2026-04-04T16:30:00Z') },
  { id: '4', role: 'on-call-engineer', person: 'oscar', start: at('2026-07-14T10:11:12Z'), end: at('2026-07-16T10:11:12Z') },
];

/** The weekly rotation, and at weekends a daily one handing over at 02:30: inside each zone's clock change, where it has one. */
const schedulesIn = (timeZone: string): Schedules => ({
  schedules: [
    {
      role: 'on-call-engineer',
      layers: [
        weeklyRotation(timeZone),
        {
          name: 'weekend',
          participants: ['dana', 'erin'],
          rotation: { every: 1, unit: 'days' },
          handoff: { time: '02:30' },
          timeZone,
          start: '2026-01-01',
          restrictions: [{ weekdays: ['sat', 'sun'], from: '00:00', to: '00:00' }],
        },
      ],
    },
  ],
});

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  for (const zone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(zone);
  return calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
}

const seconds = (ms: number) => Math.floor(ms / 1000);

describe('the on-call calendar feed, parsed by ical.js', () => {
  afterEach(() => ICAL.TimezoneService.reset());

  for (const zone of ZONES) {
    it(`${zone}: every shift of a year, for the role and for a person, at its wall-clock time`, () => {
      const sources: FeedSources = { schedules: schedulesIn(zone), overrides, roster, defaultTimeZone: 'UTC' };
      for (const subject of [
        { kind: 'role', id: 'on-call-engineer' },
        { kind: 'person', id: 'oscar' },
      ] as FeedSubject[]) {
        const events = parse(onCallFeed(sources, subject, YEAR.from, YEAR));
        const segments = segmentsBetween(sources.schedules, overrides, roster, 'on-call-engineer', YEAR.from, YEAR.to).filter(
          (s) => subject.kind === 'role' || s.holders.some((p) => p.id === subject.id),
        );
        expect(
          events.map((e) => [e.startDate.toUnixTime(), e.endDate.toUnixTime()]),
          `${zone} ${subject.kind} feed`,
        ).toEqual(segments.map((s) => [seconds(s.start), seconds(s.end)]));
        segments.forEach((s, i) => {
          const names = s.holders.map((p) => p.name).join(', ');
          expect(events[i].description).toContain(`${names} holds on-call-engineer`);
          expect(events[i].summary.endsWith('(override)')).toBe(s.source.kind === 'override');
        });
        // Each event in the zone's local time (TZID), but for an edge in a repeated hour, which only UTC names.
        const local = events.filter((e) => e.startDate.zone?.tzid === zone);
        for (const e of local) {
          const p = localParts(e.startDate.toUnixTime() * 1000, zone);
          expect([e.startDate.hour, e.startDate.minute]).toEqual([p.hour, p.minute]);
        }
        expect(local.length).toBeGreaterThan(events.length - 4);
      }
      // The weekly handoff shows at 09:00 local on Mondays, summer and winter alike.
      const mondays = parse(onCallFeed(sources, { kind: 'role', id: 'on-call-engineer' }, YEAR.from, YEAR)).filter(
        (e) => e.startDate.zone?.tzid === zone && e.startDate.dayOfWeek() === ICAL.Time.MONDAY && e.startDate.hour === 9,
      );
      expect(mondays.length).toBeGreaterThanOrEqual(50);
    });
  }

  it('an override is an event of its own, and names and text are escaped and folded', () => {
    const hostile = {
      ...roster,
      people: roster.people.map((p) => (p.id === 'sam' ? { ...p, name: 'Sam; Reyes, "the \\ one"\nBEGIN:VEVENT ' + 'é'.repeat(40) } : p)),
    };
    const sources: FeedSources = { schedules: schedulesIn('Europe/Berlin'), overrides, roster: hostile, defaultTimeZone: 'UTC' };
    const ics = onCallFeed(sources, { kind: 'person', id: 'sam' }, YEAR.from, YEAR);
    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const events = parse(ics);
    expect(events).toHaveLength(2);
    expect(events[0].summary).toBe('On call: on-call-engineer (override)');
    expect(events[0].description).toContain(`Sam; Reyes, "the \\ one"\nBEGIN:VEVENT ${'é'.repeat(40)} holds`);
    expect(events[0].endDate.toUnixTime() - events[0].startDate.toUnixTime()).toBe(HOUR / 2000);
    // A fold never splits a character.
    expect(foldLine('x'.repeat(74) + 'é')).toBe(`${'x'.repeat(74)}\r\n é`);
  });
});
