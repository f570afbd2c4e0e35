import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { isIncidentOfRun } from '../../workflows/incident/incidentId';
import { latestRunOf } from './latestRun';

/** A reference that names an incident the command cannot act on (resolved, closed, or unknown); nothing was changed. */
export class IncidentRefError extends Error {
  /** 'closed': the incident exists but has ended; 'unknown': nothing by that reference. */
  constructor(
    message: string,
    readonly reason: 'unknown' | 'closed' = 'unknown',
  ) {
    super(message);
  }
}

/** What the audit store knows of an incident, enough to say why it can no longer be acted on. */
export interface IncidentRecord {
  incidentId: string;
  workflowId: string;
  phase: string;
  resolvedAt?: string;
  resolution?: string;
}

import { isIncidentId } from '../../workflows/incident/incidentId';
export { isIncidentId };

export async function findIncident(pool: Pool, incidentId: string): Promise<IncidentRecord> {
  const { rows } = await pool.query(
    'SELECT incident_id, workflow_id, phase, resolved_at, resolution FROM incidents WHERE incident_id = $1',
    [incidentId],
  );
  if (!rows.length)
    throw new IncidentRefError(
      `no incident '${incidentId}': give an incident id (INC-…) or a workflow id (incident/<type>/<tier>/<fingerprint>)`,
    );
  const r = rows[0];
  return {
    incidentId: r.incident_id,
    workflowId: r.workflow_id,
    phase: r.phase,
    resolvedAt: r.resolved_at?.toISOString(),
    resolution: r.resolution ?? undefined,
  };
}

/** The latest incident opened on the same key after this one, if any ("INC-… (phase)"): where the person probably meant to act. */
export async function newerIncidentOnKey(pool: Pool, record: IncidentRecord): Promise<string | undefined> {
  const { rows } = await pool.query(
    `SELECT incident_id, phase FROM incidents WHERE workflow_id = $1 AND incident_id <> $2 AND opened_at >
       (SELECT opened_at FROM incidents WHERE incident_id = $2) ORDER BY opened_at DESC LIMIT 1`,
    [record.workflowId, record.incidentId],
  );
  return rows.length ? `${rows[0].incident_id} (${rows[0].phase})` : undefined;
}

/**
 * A handle on exactly this incident. Its workflow id is the dedup key, which a later incident on the same type,
 * tier and fingerprint reuses once this one resolved; the incident id carries digits of its own first run id,
 * so the latest run is used only when it belongs to that chain (see latestRunOf).
 * `allowClosed`: a query may read a finished incident's final state; an update may not act on it.
 */
export async function incidentHandle(
  client: Client,
  record: IncidentRecord,
  opts: { allowClosed: boolean; newer: () => Promise<string | undefined> },
): Promise<WorkflowHandle<typeof incidentResponse>> {
  const run = await latestRunOf(client, record.workflowId, (firstRunId) => isIncidentOfRun(record.incidentId, firstRunId));
  if (run.kind !== 'ours' || (!run.running && !opts.allowClosed))
    throw new IncidentRefError(await closedMessage(record, opts.newer), 'closed');
  return run.handle;
}

async function closedMessage(record: IncidentRecord, newer: () => Promise<string | undefined>): Promise<string> {
  const state =
    record.phase === 'resolved'
      ? `${record.incidentId} is resolved${record.resolvedAt ? ` (${record.resolvedAt}${record.resolution ? `: ${record.resolution}` : ''})` : ''}`
      : `${record.incidentId} is no longer running (it closed while ${record.phase})`;
  const next = await newer();
  const hint = next ? ` A later incident on ${record.workflowId} is ${next}.` : '';
  return `${state}; nothing was changed.${hint}`;
}

/**
 * The incident a reference names: a workflow id names the key's latest incident; an incident id names exactly one
 * incident, and a resolved one is refused (IncidentRefError) instead of reaching a later incident on its key.
 */
export async function handleOfRef(
  client: Client,
  pool: Pool,
  ref: string,
  opts: { allowClosed?: boolean; workflowId?: string } = {},
): Promise<WorkflowHandle<typeof incidentResponse>> {
  if (ref.startsWith('incident/')) return client.workflow.getHandle<typeof incidentResponse>(ref);
  if (!isIncidentId(ref))
    throw new IncidentRefError(
      `'${ref}' is not an incident id (INC-<yyyymmdd>-<12 hex>) nor a workflow id (incident/<type>/<tier>/<fingerprint>)`,
    );
  const allowClosed = opts.allowClosed ?? false;
  let record: IncidentRecord;
  try {
    record = await findIncident(pool, ref);
  } catch (err) {
    if (!(err instanceof IncidentRefError) || !opts.workflowId) throw err;
    return handleBeforeAudit(client, ref, opts.workflowId, allowClosed, err);
  }
  return incidentHandle(client, record, { allowClosed, newer: () => newerIncidentOnKey(pool, record) });
}

/**
 * An incident the audit store has no row of yet, by the workflow id a trusted source (a signed page link) names:
 * pages go out before the audit write that records the opening, which lags by minutes in a storm. Only the run chain
 * the incident id was made from is used, as with a row.
 */
async function handleBeforeAudit(
  client: Client,
  incidentId: string,
  workflowId: string,
  allowClosed: boolean,
  notFound: IncidentRefError,
): Promise<WorkflowHandle<typeof incidentResponse>> {
  const run = await latestRunOf(client, workflowId, (firstRunId) => isIncidentOfRun(incidentId, firstRunId));
  if (run.kind !== 'ours') throw notFound;
  if (!run.running && !allowClosed) throw new IncidentRefError(`${incidentId} is no longer running; nothing was changed.`, 'closed');
  return run.handle;
}
