/** `dbops maintenance …`: maintenance windows, made, listed and ended through the dbops API as yourself. */
import type { WindowJson } from '../api/maintenanceRoutes';
import { describeScope, describeTiming, WEEKDAY_NAMES, type WeekdayName } from '../../runbooks/maintenance';
import { callApi } from './apiClient';
import { config } from './cliConfig';
import { say, sayOutput, sayRows, type OutputFormat } from './output';
import { UsageError } from './usageError';

/** A matcher option `name=value` (exact) or `name=~regex`. */
function labelsOf(values: string[] | undefined) {
  if (!values?.length) return undefined;
  return Object.fromEntries(
    values.map((v) => {
      const m = /^([^=~]{1,64})=(~?)(.*)$/.exec(v);
      if (!m || !m[3]) throw new UsageError(`--label '${v}': name=value (exact) or name=~regex, e.g. instance=~oltp-replica-.*`);
      return [m[1], m[2] ? { regex: m[3] } : m[3]];
    }),
  );
}

const dateTime = (option: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(value) || Number.isNaN(Date.parse(value)))
    throw new UsageError(`${option} '${value}': a date-time with a zone, e.g. 2026-12-06T22:00:00Z`);
  return new Date(Date.parse(value)).toISOString();
};

export async function createWindowCommand(o: {
  reason: string;
  tier?: string[];
  type?: string[];
  label?: string[];
  from?: string;
  to?: string;
  every?: string;
  start?: string;
  end?: string;
  timeZone?: string;
  until?: string;
}) {
  const weekly = o.every !== undefined;
  if (weekly && (o.from || o.to))
    throw new UsageError('--every makes a recurring window: give --start, --end and --until, not --from/--to');
  const days = o.every?.split(',').map((d) => d.trim().toLowerCase().slice(0, 3));
  if (days?.some((d) => !WEEKDAY_NAMES.includes(d as WeekdayName)))
    throw new UsageError(`--every '${o.every}': weekdays separated by commas (${WEEKDAY_NAMES.join(', ')})`);
  const { window } = await callApi<{ window: WindowJson }>(config.apiUrl, 'POST', '/maintenance', {
    reason: o.reason,
    ...(o.tier && { tiers: o.tier }),
    ...(o.type && { types: o.type }),
    ...(o.label && { labels: labelsOf(o.label) }),
    ...(weekly
      ? { weekly: { days, start: o.start, end: o.end, timeZone: o.timeZone ?? config.timeZone, until: dateTime('--until', o.until) } }
      : { from: dateTime('--from', o.from), to: dateTime('--to', o.to) }),
  });
  printWindows([window]);
}

export async function listWindowsCommand(o: { all?: boolean; output?: OutputFormat }) {
  const { windows } = await callApi<{ windows: WindowJson[] }>(config.apiUrl, 'GET', `/maintenance${o.all ? '?all=true' : ''}`);
  sayOutput(o.output, { windows }, () => {
    if (!windows.length) say('no maintenance windows ahead');
    else printWindows(windows);
  });
}

export async function endWindowCommand(id: string, o: { reason: string }) {
  if (!/^\d{1,18}$/.test(id)) throw new UsageError(`'${id}' is not a window id (a number, as listed)`);
  const { window } = await callApi<{ window: WindowJson }>(config.apiUrl, 'POST', `/maintenance/${id}/end`, { reason: o.reason });
  say(`maintenance window ${window.id} ended by ${window.endedBy}: what it held and still fires opens its incidents now`);
}

function printWindows(windows: WindowJson[]) {
  sayRows(
    ['id', 'scope', 'when', 'next', 'reason', 'made by', 'ended'],
    windows.map((w) => [
      w.id,
      describeScope(w.scope),
      describeTiming(w.timing),
      w.next ? `${w.next.from} to ${w.next.to}` : '',
      w.reason,
      w.createdBy,
      w.endedAt ? `${w.endedAt} by ${w.endedBy}` : '',
    ]),
  );
}
