import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { IncidentPhase, IncidentTypeId, Severity, Tier } from '../../runbooks/types';
import { encodeCursor, type IncidentCursor } from './incidentCursor';
import { SA_KIND, SA_PHASE, SA_SEVERITY, SA_TIER, SA_TYPE } from '../../workflows/shared/searchAttributes';

export interface IncidentFilters {
  /** Closed incidents too, not only running ones. */
  includeClosed?: boolean;
  type?: IncidentTypeId;
  tier?: Tier;
  severity?: Severity;
  phase?: IncidentPhase;
}

export interface IncidentListItem {
  workflowId: string;
  type: string;
  severity: string;
  tier: string;
  phase: string;
  status: string;
  startTime: Date;
}

export interface IncidentPage {
  incidents: IncidentListItem[];
  /** How many match in all (visibility's count, eventually consistent like the list itself). */
  total: number;
  /** How many came before this page. */
  offset: number;
  /** Where the next page starts; absent on the last one. */
  next?: string;
}

export const MAX_PAGE_SIZE = 1_000;

/** Visibility's query for the filters; every value comes from a fixed list of choices, so it is safe inside the string. */
export function incidentQuery(f: IncidentFilters): string {
  const filters = [`${SA_KIND.name} = 'incident'`];
  if (!f.includeClosed) filters.push(`ExecutionStatus = 'Running'`);
  for (const [value, attribute] of [
    [f.type, SA_TYPE],
    [f.tier, SA_TIER],
    [f.severity, SA_SEVERITY],
    [f.phase, SA_PHASE],
  ] as const) {
    if (value) filters.push(`${attribute.name} = '${value}'`);
  }
  return filters.join(' AND ');
}

/**
 * One page of incidents from Temporal's visibility, newest first (visibility's order for running workflows), and how
 * many match in all: two calls whatever the number open, instead of reading every page.
 */
export async function listIncidents(client: Client, f: IncidentFilters, pageSize: number, from?: IncidentCursor): Promise<IncidentPage> {
  const query = incidentQuery(f);
  const namespace = client.options.namespace;
  const [page, counted] = await Promise.all([
    client.workflowService.listWorkflowExecutions({ namespace, query, pageSize, nextPageToken: from?.token }),
    client.workflow.count(query),
  ]);
  const infos: WorkflowExecutionInfo[] = await Promise.all(
    (page.executions ?? []).map((raw) => executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, namespace)),
  );
  const offset = from?.offset ?? 0;
  const attribute = (info: WorkflowExecutionInfo, key: typeof SA_TYPE) => String(info.typedSearchAttributes.get(key) ?? '');
  const incidents = infos.map((info) => ({
    workflowId: info.workflowId,
    type: attribute(info, SA_TYPE),
    severity: attribute(info, SA_SEVERITY),
    tier: attribute(info, SA_TIER),
    phase: attribute(info, SA_PHASE),
    status: info.status.name,
    startTime: info.startTime,
  }));
  const token = page.nextPageToken;
  return { incidents, total: counted.count, offset, next: token?.length ? encodeCursor(offset + incidents.length, token) : undefined };
}

export { IncidentCursorError, parseIncidentCursor, type IncidentCursor } from './incidentCursor';
