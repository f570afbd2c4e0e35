/** The parts of an instant as the team reads it in `timeZone`: 24-hour time, zone abbreviation, weekday and date. */
function partsInZone(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  return (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
}

/** An instant as a team reads it: time, zone abbreviation, weekday and date in `timeZone`, and the zone's name. */
export function inZone(iso: string, timeZone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const part = partsInZone(at, timeZone);
  return `${part('hour')}:${part('minute')} ${part('timeZoneName')}, ${part('weekday')} ${part('day')} ${part('month')} (${timeZone})`;
}

/** An instant in the team's time zone, short (the console's lists): "Sun 6 Dec, 08:15 CET". */
export function shortInZone(at: Date, timeZone: string): string {
  const part = partsInZone(at, timeZone);
  return `${part('weekday')} ${part('day')} ${part('month')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}
