/** `dbops incident list`: one page of incidents from Temporal's visibility, and how many more match. */
import {
  IncidentCursorError,
  listIncidents,
  parseIncidentCursor,
  type IncidentCursor,
  type IncidentFilters,
} from '../incidents/listIncidents';
import { withClient } from './connections';
import { say, tell } from './output';
import { UsageError } from './usageError';

export interface ListOptions extends Omit<IncidentFilters, 'includeClosed'> {
  all?: boolean;
  limit: number;
  next?: string;
}

export async function listIncidentsCommand(o: ListOptions) {
  const filters: IncidentFilters = { includeClosed: o.all, type: o.type, tier: o.tier, severity: o.severity, phase: o.phase };
  let from: IncidentCursor | undefined;
  try {
    from = o.next === undefined ? undefined : parseIncidentCursor(o.next);
  } catch (err) {
    if (err instanceof IncidentCursorError) throw new UsageError(`--next: ${err.message}`);
    throw err;
  }
  const page = await withClient((client) => listIncidents(client, filters, o.limit, from));
  for (const i of page.incidents) say(`${i.workflowId.padEnd(60)} ${i.severity.padEnd(9)} ${i.phase.padEnd(13)} ${i.status}`);
  // The notice goes to stderr, so that `dbops incident list | …` reads incidents only.
  const shown = page.offset + page.incidents.length;
  const more = Math.max(0, page.total - shown);
  if (page.next)
    tell(`${more ? `${more} more` : 'more may follow'} (${shown} of ${page.total} shown, newest first): add --next ${page.next}`);
  else if (!page.incidents.length && !page.offset) tell('no incidents match');
}
