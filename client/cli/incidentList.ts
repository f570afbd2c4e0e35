/** `dbops incident list`: one page of incidents through the dbops API, by INC id and title, and how many more match. */
import type { IncidentFilters } from '../incidents/listIncidents';
import { IncidentCursorError, parseIncidentCursor } from '../incidents/incidentCursor';
import type { IncidentSummary } from '../incidents/incidentSummaries';
import { callApi, queryString } from './apiClient';
import { config } from './cliConfig';
import { sayOutput, sayRows, tell, type OutputFormat } from './output';
import { UsageError } from './usageError';

export interface ListOptions extends Omit<IncidentFilters, 'includeClosed'> {
  all?: boolean;
  limit: number;
  next?: string;
  output?: OutputFormat;
}

interface IncidentListPage {
  incidents: IncidentSummary[];
  total: number;
  offset: number;
  next?: string;
}

/** A duration as a person reads it at a glance: 45s, 12m, 3h 20m, 2d 4h. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return h % 24 ? `${Math.floor(h / 24)}d ${h % 24}h` : `${Math.floor(h / 24)}d`;
}

function deadline(i: IncidentSummary, now: number): string {
  if (!i.nextDeadline) return '';
  const left = Date.parse(i.nextDeadline.at) - now;
  return `${i.nextDeadline.what} ${left >= 0 ? `in ${shortDuration(left)}` : `${shortDuration(-left)} ago`}`;
}

export async function listIncidentsCommand(o: ListOptions) {
  // A cursor that was not printed by a listing is a usage error, found before the API is asked.
  try {
    if (o.next !== undefined) parseIncidentCursor(o.next);
  } catch (err) {
    if (err instanceof IncidentCursorError) throw new UsageError(`--next: ${err.message}`);
    throw err;
  }
  const query = queryString({ all: o.all, type: o.type, tier: o.tier, severity: o.severity, phase: o.phase, limit: o.limit, next: o.next });
  const page = await callApi<IncidentListPage>(config.apiUrl, 'GET', `/incidents${query}`);
  const now = Date.now();
  sayOutput(o.output, page, () =>
    sayRows(
      ['incident', 'title', 'type', 'tier', 'severity', 'phase', 'level', 'age', 'next deadline', 'paged'],
      page.incidents.map((i) => [
        i.incidentId ?? i.workflowId,
        // A drill says so before its title (docs/drills.md).
        `${i.drill ? 'DRILL ' : ''}${i.title.length > 48 ? `${i.title.slice(0, 47)}…` : i.title}`,
        i.type,
        i.tier,
        i.severity,
        i.phase,
        i.level ?? '',
        shortDuration(now - Date.parse(i.openedAt)),
        deadline(i, now),
        i.paged.join(', '),
      ]),
    ),
  );
  // The notice goes to stderr, so that `dbops incident list | …` reads incidents only.
  const shown = page.offset + page.incidents.length;
  const more = Math.max(0, page.total - shown);
  if (page.next)
    tell(`${more ? `${more} more` : 'more may follow'} (${shown} of ${page.total} shown, newest first): add --next ${page.next}`);
  else if (!page.incidents.length && !page.offset) tell('no incidents match');
}
