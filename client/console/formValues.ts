import { wallClockToInstant } from '../../runbooks/calendar';

/** A form field's text, trimmed; undefined when absent or blank. */
export function formText(form: Record<string, unknown>, field: string): string | undefined {
  const v = form[field];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/;

/**
 * A `datetime-local` field's value (2026-12-06T22:00, no zone: the browser sends the wall clock) as an instant, read
 * in the team's zone as every time on the console is shown; undefined when blank; an error line when malformed.
 */
export function localInstant(form: Record<string, unknown>, field: string, label: string, timeZone: string): number | undefined | Error {
  const value = formText(form, field);
  if (value === undefined) return undefined;
  const m = LOCAL.exec(value);
  const wallClock = m ? Date.parse(`${m[1]}T${m[2]}:00Z`) : NaN;
  if (Number.isNaN(wallClock)) return new Error(`${label} '${value.slice(0, 40)}': a date and time, e.g. 2026-12-06T22:00 (${timeZone})`);
  return wallClockToInstant(wallClock, timeZone);
}
