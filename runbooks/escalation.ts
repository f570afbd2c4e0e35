import { nextBusinessDayStart } from './calendar';
import type { BusinessCalendar, IncidentTypeDefinition, SeverityDefinition } from './types';

const MINUTE = 60_000;

/** Minutes to acknowledge: the stricter of the type's response time and the severity's. */
export function ackMinutes(type: IncidentTypeDefinition, severity: SeverityDefinition): number {
  return Math.min(type.responseMinutes, severity.responseMinutes);
}

/** When the response SLA ends for a clock (re)armed at `armedAt`. */
export function responseDueAt(armedAt: number, type: IncidentTypeDefinition, severity: SeverityDefinition): number {
  return armedAt + ackMinutes(type, severity) * MINUTE;
}

/**
 * When the ladder climbs after a deadline at `dueAt` passes unanswered: at once for critical, high and medium;
 * for low ("next business day") at the start of the next business day in the calendar's zone.
 */
export function escalationAt(dueAt: number, severity: SeverityDefinition, calendar: BusinessCalendar): number {
  return severity.escalation.kind === 'next-business-day' ? nextBusinessDayStart(dueAt, calendar) : dueAt;
}

/** The deadline for the next rung once a page went out at `pagedAt`. */
export function nextRungDueAt(
  pagedAt: number,
  type: IncidentTypeDefinition,
  severity: SeverityDefinition,
  calendar: BusinessCalendar,
): number {
  switch (severity.escalation.kind) {
    case 'immediate':
      return pagedAt + ackMinutes(type, severity) * MINUTE;
    case 'after-minutes':
      return pagedAt + severity.escalation.minutes * MINUTE;
    case 'next-business-day':
      return nextBusinessDayStart(pagedAt, calendar);
  }
}
