/**
 * The on-call calendar feed: a person's or a role's shifts as iCalendar events (lib/icalendar.ts), each at the
 * wall-clock time of its schedule's zone. The events are the resolver's segments (runbooks/onCall.ts), so the feed
 * says exactly what paging does; an override is an event of its own.
 */
import { segmentsBetween, type Override, type Segment } from '../runbooks/onCall';
import { handoffRoles } from '../runbooks/onCallHandoffs';
import type { Schedules } from '../runbooks/onCallSchedule';
import { personName, type Roster } from '../runbooks/roster';
import type { Role } from '../runbooks/types';
import { writeCalendar, type CalendarEvent } from './icalendar';

export type FeedSubject = { kind: 'person'; id: string } | { kind: 'role'; id: Role };

export interface FeedSources {
  schedules: Schedules;
  overrides: readonly Override[];
  roster: Roster;
  /** The zone of a role without a schedule (DBOPS_TIMEZONE). */
  defaultTimeZone: string;
}

const DAY = 24 * 3_600_000;
/** What a feed covers around now: the last month (for looking back) and the coming year. */
export const FEED_PAST_MS = 31 * DAY;
export const FEED_AHEAD_MS = 366 * DAY;

function zoneOf(s: FeedSources, role: Role, segment: Segment): string {
  const layers = s.schedules.schedules.find((x) => x.role === role)?.layers;
  if (segment.source.kind === 'layer' && layers) return layers[segment.source.layer].timeZone;
  return layers?.[0]?.timeZone ?? s.defaultTimeZone;
}

function how(segment: Segment): string {
  switch (segment.source.kind) {
    case 'override':
      return `override ${segment.source.overrideId}`;
    case 'layer':
      return `layer ${segment.source.layer + 1}${segment.source.name ? ` (${segment.source.name})` : ''} of the schedule`;
    case 'roster':
      return 'the roster (no schedule holds the role then)';
    case 'gap':
      return 'nobody: a gap';
  }
}

const names = (segment: Segment) => segment.holders.map((p) => p.name).join(', ') || 'nobody (gap)';

/** The events of a feed over [from, to): a role's every segment (gaps too), or every segment a person holds a role in. */
export function feedEvents(s: FeedSources, subject: FeedSubject, from: number, to: number): CalendarEvent[] {
  const roles = subject.kind === 'role' ? [subject.id] : handoffRoles(s.schedules, s.overrides);
  return roles.flatMap((role) =>
    segmentsBetween(s.schedules, s.overrides, s.roster, role, from, to)
      .filter((seg) => subject.kind === 'role' || seg.holders.some((p) => p.id === subject.id))
      .map((seg) => {
        const override = seg.source.kind === 'override' ? ' (override)' : '';
        return {
          uid: `${role}/${new Date(seg.start).toISOString()}/${seg.holders.map((p) => p.id).join('+') || 'gap'}@dbops`,
          start: seg.start,
          end: seg.end,
          timeZone: zoneOf(s, role, seg),
          summary: subject.kind === 'role' ? `${role}: ${names(seg)}${override}` : `On call: ${role}${override}`,
          description: `${names(seg)} holds ${role}, by ${how(seg)}.`,
        };
      }),
  );
}

/** The feed's iCalendar text around `now`. */
export function onCallFeed(
  s: FeedSources,
  subject: FeedSubject,
  now: number,
  window = { from: now - FEED_PAST_MS, to: now + FEED_AHEAD_MS },
) {
  const who = subject.kind === 'person' ? personName(s.roster, subject.id) : subject.id;
  return writeCalendar({ name: `dbops on call: ${who}`, events: feedEvents(s, subject, window.from, window.to), ...window, now });
}
