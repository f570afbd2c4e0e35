/**
 * iCalendar (RFC 5545) text, written by hand: TEXT escaping (3.3.11), line folding at 75 octets (3.1), and VTIMEZONE
 * components made from the same zone data (Intl, through runbooks/calendar.ts) the on-call resolver uses, so a shift
 * shows at the wall-clock time the resolver computed. A library (ical-generator) would still need a VTIMEZONE
 * generator with a zone database of its own, which can disagree with Node's; the rest is these few rules.
 */
import { wallClockOf } from '../runbooks/calendar';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The zone's offset from UTC at an instant, in ms. */
const offsetAt = (ms: number, timeZone: string) => wallClockOf(ms, timeZone) - Math.floor(ms / MINUTE) * MINUTE;

/** TEXT value: backslash, semicolon, comma and line breaks escaped; other control characters dropped. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/\p{Cc}/gu, '');
}

/** A content line folded so no line is longer than 75 octets, never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch);
    // Continuation lines start with a space, which counts.
    if (octets + size > 75) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** The fields of a time given as UTC ms, as YYYYMMDDTHHMMSS. */
const stamp = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
};
const utcStamp = (ms: number) => `${stamp(ms)}Z`;
const offsetText = (ms: number) => {
  const minutes = Math.round(Math.abs(ms) / MINUTE);
  return `${ms < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}${pad(minutes % 60)}`;
};

/**
 * DTSTART or DTEND of an instant in a zone: its local time with TZID, or UTC when that local time is ambiguous (the
 * repeated hour when clocks go back). RFC 5545 says such a time is its first occurrence, but parsers differ (ical.js
 * takes the second), so only UTC says it for all of them.
 */
export function dateTimeProperty(name: 'DTSTART' | 'DTEND', ms: number, timeZone: string): string {
  const instant = Math.floor(ms / 1000) * 1000;
  const local = instant + offsetAt(instant, timeZone);
  return occursTwice(Math.floor(local / MINUTE) * MINUTE, timeZone)
    ? `${name}:${utcStamp(instant)}`
    : `${name};TZID=${timeZone}:${stamp(local)}`;
}

/** Whether a wall-clock time (UTC ms of its fields) names two instants in the zone. */
function occursTwice(wallClock: number, timeZone: string): boolean {
  const before = offsetAt(wallClock - DAY, timeZone);
  const after = offsetAt(wallClock + DAY, timeZone);
  const fits = (offset: number) => offsetAt(wallClock - offset, timeZone) === offset;
  return before !== after && fits(before) && fits(after);
}

/** The instants in [from, to) at which the zone's offset changes, with the offsets either side. */
function transitions(timeZone: string, from: number, to: number): { at: number; before: number; after: number }[] {
  const found = [];
  for (let day = Math.floor(from / DAY) * DAY; day < to; day += DAY) {
    const before = offsetAt(day, timeZone);
    const after = offsetAt(day + DAY, timeZone);
    if (before === after) continue;
    let lo = day;
    let hi = day + DAY;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(mid, timeZone) === before) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, before, after });
  }
  return found;
}

/**
 * The zone as a VTIMEZONE over [from, to): the offset in force at `from`, then one observance per change (its onset
 * in the local time before the change, as RFC 5545 has it), so no recurrence rule has to agree with the zone's history.
 */
export function vtimezone(timeZone: string, from: number, to: number): string[] {
  const first = offsetAt(from, timeZone);
  const changes = transitions(timeZone, from, to);
  const observance = (at: number, before: number, after: number) => {
    const kind = after > before ? 'DAYLIGHT' : 'STANDARD';
    return [
      `BEGIN:${kind}`,
      `DTSTART:${stamp(at + before)}`,
      `TZOFFSETFROM:${offsetText(before)}`,
      `TZOFFSETTO:${offsetText(after)}`,
      `END:${kind}`,
    ];
  };
  // The offset at the start holds from long before: events before the first change read it.
  const base = [
    'BEGIN:STANDARD',
    'DTSTART:19700101T000000',
    `TZOFFSETFROM:${offsetText(first)}`,
    `TZOFFSETTO:${offsetText(first)}`,
    'END:STANDARD',
  ];
  return ['BEGIN:VTIMEZONE', `TZID:${timeZone}`, ...base, ...changes.flatMap((c) => observance(c.at, c.before, c.after)), 'END:VTIMEZONE'];
}

export interface CalendarEvent {
  uid: string;
  start: number;
  end: number;
  timeZone: string;
  summary: string;
  description?: string;
}

/** A whole VCALENDAR: a VTIMEZONE for each zone its events use, then the events; CRLF line ends, folded. */
export function writeCalendar(o: { name: string; events: CalendarEvent[]; from: number; to: number; now: number }): string {
  const zones = [...new Set(o.events.map((e) => e.timeZone))].sort();
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//dbops//on-call calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(o.name)}`,
    // Calendar applications look again within the hour: overrides and schedule edits show up.
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
    ...zones.flatMap((z) => vtimezone(z, o.from - DAY, o.to + DAY)),
    ...o.events.flatMap((e) => [
      'BEGIN:VEVENT',
      `UID:${escapeText(e.uid)}`,
      `DTSTAMP:${utcStamp(o.now)}`,
      dateTimeProperty('DTSTART', e.start, e.timeZone),
      dateTimeProperty('DTEND', e.end, e.timeZone),
      `SUMMARY:${escapeText(e.summary)}`,
      ...(e.description ? [`DESCRIPTION:${escapeText(e.description)}`] : []),
      'TRANSP:OPAQUE',
      'END:VEVENT',
    ]),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
