/** A duration as people type it: `90s`, `45m`, `2h`, `1h30m` (hours, minutes, seconds, in that order). */
const DURATION = /^(?:(\d{1,4})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/;

export const DURATION_FORMAT = 'a duration such as 30m, 2h, 1h30m or 90s';

/** Milliseconds of a duration, or undefined when it is not one (or is zero). */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || !text.trim()) return undefined;
  const ms = (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
  return ms > 0 ? ms : undefined;
}

/** A duration for people: `1h30m`, `45m`, `90s` → `1m30s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ] as const;
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, u]) => `${n}${u}`)
      .join('') || '0s'
  );
}
