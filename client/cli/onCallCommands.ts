/**
 * `dbops oncall …` and `dbops override …`: who is on call, the schedule, its gaps and overrides, through the dbops
 * API as yourself (which resolves the schedules and roster it has in force with the overrides in the audit store).
 */
import type { HandoffNoticeRecord } from '../../db/oncall/handoffs';
import { wallClockToInstant } from '../../runbooks/calendar';
import type { HoldSource } from '../../runbooks/onCall';
import type { Role } from '../../runbooks/types';
import type { GapsJson, OnCallJson, OverrideJson, ScheduleJson, TurnJson } from '../api/onCallRoutes';
import { callApi, queryString } from './apiClient';
import { config } from './cliConfig';
import { say, sayOutput, sayRows, tell, type OutputFormat } from './output';
import { UsageError } from './usageError';
import { EXIT } from './exitCodes';

const DAY = 24 * 3_600_000;
/** `oncall check` exits with this when it found a gap (exitCodes.ts lists every code). */
export const GAP_EXIT_CODE = EXIT.onCallGap;

/** A time option: an ISO date-time with a zone, or a date (its midnight in DBOPS_TIMEZONE); absent: now. */
function instantOf(option: string, value: string | undefined): number {
  if (value === undefined) return Date.now();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)))
    return wallClockToInstant(Date.parse(`${value}T00:00:00Z`), config.timeZone);
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw new UsageError(
    `${option} '${value}': a date (2026-11-25, midnight in ${config.timeZone}) or a date-time with a zone (2026-11-25T16:00:00Z)`,
  );
}

/** An instant as a person reads it, in DBOPS_TIMEZONE with the zone's abbreviation. */
const formatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: config.timeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
const when = (ms: number | undefined) => (ms === undefined ? '' : formatter.format(ms).replace(',', ''));

const names = (people: { name: string }[]) => (people.length ? people.map((p) => p.name).join(', ') : 'NOBODY');
const iso = (ms: number) => new Date(ms).toISOString();

function how(source: HoldSource): string {
  switch (source.kind) {
    case 'override':
      return `override ${source.overrideId}`;
    case 'layer':
      return source.name ? `layer ${source.layer + 1} (${source.name})` : `layer ${source.layer + 1}`;
    case 'roster':
      return 'roster';
    case 'gap':
      return 'gap';
  }
}

/** `dbops oncall`: who holds each role on the ladders (or one) now, until when, and who next. */
export async function printOnCall(o: { role?: Role; at?: string; output?: OutputFormat }) {
  const at = instantOf('--at', o.at);
  const answer = await callApi<OnCallJson>(config.apiUrl, 'GET', `/oncall${queryString({ role: o.role, at: iso(at) })}`);
  const cells = (t: TurnJson | null) =>
    t ? [names(t.holders), t.until === null ? 'no change ahead' : when(Date.parse(t.until))] : ['', ''];
  const rows = answer.roles.map((r) => [r.role, ...cells(r.now), ...cells(r.next)]);
  const json = () => rows.map(([role, now, until, next, nextUntil]) => ({ role, now, until, next, nextUntil }));
  sayOutput(o.output, { at: answer.at, roles: json() }, () => {
    say(`on call at ${when(at)}`);
    sayRows(['role', 'now', 'until', 'next', 'until'], rows);
  });
}

/** `dbops oncall schedule`: one role's shifts over a period, as a table. */
export async function printSchedule(o: { role: Role; from?: string; to?: string; output?: OutputFormat }) {
  const from = instantOf('--from', o.from);
  const to = o.to === undefined ? from + 7 * DAY : instantOf('--to', o.to);
  if (to <= from) throw new UsageError('--to must be after --from');
  if (to - from > 366 * DAY) throw new UsageError('--from to --to is longer than a year');
  const { shifts } = await callApi<ScheduleJson>(
    config.apiUrl,
    'GET',
    `/oncall/schedule${queryString({ role: o.role, from: iso(from), to: iso(to) })}`,
  );
  const json = () => shifts.map((s) => ({ from: s.from, to: s.to, who: names(s.holders), how: how(s.source) }));
  sayOutput(o.output, json(), () =>
    sayRows(
      ['from', 'to', 'who', 'how'],
      shifts.map((s) => [when(Date.parse(s.from)), when(Date.parse(s.to)), names(s.holders), how(s.source)]),
    ),
  );
}

/** `dbops oncall check`: every window ahead in which a role some ladder pages has nobody; exit 6 when there is one. */
export async function checkOnCall(o: { days: number; output?: OutputFormat }) {
  const answer = await callApi<GapsJson>(config.apiUrl, 'GET', `/oncall/gaps${queryString({ days: o.days })}`);
  const { gaps } = answer;
  if (gaps.length) process.exitCode = GAP_EXIT_CODE;
  const hours = (ms: number) => `${Math.round(ms / 360_000) / 10} h`;
  sayOutput(o.output, answer, () => {
    if (!gaps.length) return say(`every role on the escalation ladders has someone for the next ${o.days} days`);
    sayRows(
      ['role', 'nobody from', 'until', 'for'],
      gaps.map((g) => [g.role, when(Date.parse(g.from)), when(Date.parse(g.to)), hours(Date.parse(g.to) - Date.parse(g.from))]),
    );
  });
  if (gaps.length)
    tell(`dbops: ${gaps.length} gap${gaps.length === 1 ? '' : 's'} in the next ${o.days} days: a page to such a role reaches nobody`);
}

/** `dbops override create`: as yourself, through the API (which decides whether you may). */
export async function createOverride(o: {
  role: Role;
  person: string;
  from?: string;
  to: string;
  reason?: string;
  swapFrom?: string;
  swapTo?: string;
}) {
  if (Boolean(o.swapFrom) !== Boolean(o.swapTo)) throw new UsageError('--swap-from and --swap-to go together');
  const at = (option: string, value: string | undefined) => iso(instantOf(option, value));
  const { overrides } = await callApi<{ overrides: OverrideJson[] }>(config.apiUrl, 'POST', '/oncall/overrides', {
    role: o.role,
    person: o.person,
    from: at('--from', o.from),
    to: at('--to', o.to),
    reason: o.reason,
    ...(o.swapFrom && { swap: { from: at('--swap-from', o.swapFrom), to: at('--swap-to', o.swapTo) } }),
  });
  printOverrides(overrides);
}

/** `dbops override list`: overrides not yet over. */
export async function listOverridesCommand(o: { role?: Role; output?: OutputFormat }) {
  const query = o.role ? `?role=${encodeURIComponent(o.role)}` : '';
  const { overrides } = await callApi<{ overrides: OverrideJson[] }>(config.apiUrl, 'GET', `/oncall/overrides${query}`);
  sayOutput(o.output, overrides, () => {
    if (!overrides.length) say('no overrides ahead');
    else printOverrides(overrides);
  });
}

/** `dbops override delete ID`: with the other half of its swap. */
export async function deleteOverrideCommand(id: string) {
  if (!/^\d{1,18}$/.test(id)) throw new UsageError(`'${id}' is not an override id (a number, as listed)`);
  const { deleted } = await callApi<{ deleted: OverrideJson[] }>(config.apiUrl, 'DELETE', `/oncall/overrides/${id}`);
  say(`deleted override${deleted.length > 1 ? 's' : ''} ${deleted.map((d) => d.id).join(' and ')}`);
}

/** `dbops oncall calendar`: the signed feed URL, from the API (which holds the key that signs it). */
export async function printCalendarUrl(o: { person?: string; role?: Role; revoke?: boolean }) {
  if (Boolean(o.person) === Boolean(o.role)) throw new UsageError('give one of --person <id> or --role <role>');
  const query = o.person ? `person=${encodeURIComponent(o.person)}` : `role=${encodeURIComponent(o.role!)}`;
  const { url } = await callApi<{ url: string }>(config.apiUrl, o.revoke ? 'DELETE' : 'GET', `/oncall/calendar-url?${query}`);
  if (o.revoke) tell(`dbops: every earlier URL of this calendar is refused from now on; its new URL:`);
  say(url);
}

/** `dbops oncall handoffs`: the audit of handoff notices, by name (GET /oncall/handoffs). */
export async function printHandoffs(o: { days: number; output?: OutputFormat }) {
  const answer = await callApi<{ notices: (HandoffNoticeRecord & { personName: string })[] }>(
    config.apiUrl,
    'GET',
    `/oncall/handoffs?days=${o.days}`,
  );
  const { notices } = answer;
  if (o.output === 'json') return sayOutput(o.output, { notices }, () => undefined);
  if (!notices.length) return say(`no handoff notices in the last ${o.days} days`);
  sayRows(
    ['handoff', 'role', 'told', 'as', 'open incidents'],
    notices.map((n) => [
      when(Date.parse(n.handoffAt)),
      n.role,
      n.personName,
      n.direction === 'outgoing' ? 'handing over' : 'taking over',
      n.incidents.map((i) => `${i.incidentId} ${i.title} (${i.severity}, ${i.phase})`).join('; ') || 'none',
    ]),
  );
}

function printOverrides(overrides: OverrideJson[]) {
  const rows = overrides.map((o) => [
    o.id,
    o.role,
    o.names.person,
    when(Date.parse(o.from)),
    when(Date.parse(o.to)),
    o.names.replaces.join(', ') || 'nobody',
    o.swapId ? `swap ${o.swapId}` : '',
    o.names.createdBy,
  ]);
  sayRows(['id', 'role', 'who', 'from', 'to', 'replaces', 'swap', 'made by'], rows);
}
