import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { acknowledgerOfRow, nextDeadlineOfRow } from '../../db/audit/incidentRow';
import { pagedPeople } from '../../db/deliveries/pagedPeople';
import { levelLabel } from '../../runbooks/ladderLevels';
import { personName, type Roster } from '../../runbooks/roster';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { nextDeadlineOf, type NextDeadline } from '../../workflows/incident/nextDeadline';
import type { IncidentListItem } from './listIncidents';

/** One incident as a list shows it to a person: its INC id and title, where it stands, and who was paged, by name. */
export interface IncidentSummary {
  /** INC-…; absent only in the moment before its first audit write and its first answer to a query. */
  incidentId?: string;
  workflowId: string;
  title: string;
  type: string;
  tier: string;
  severity: string;
  phase: string;
  /** The ladder's level as people read it ("level 2", "level 1, repeat 1"); absent until it is known. */
  level?: string;
  openedAt: string;
  /** The next time something happens unless someone acts: the response deadline, then the next escalation. */
  nextDeadline?: NextDeadline;
  acknowledgedBy?: string;
  /** The people its pages reached so far, by name (a person no longer on the roster by id). */
  paged: string[];
  /** A drill (docs/drills.md): lists mark it DRILL. */
  drill?: boolean;
}

/**
 * How long the page's incidents' live states may take to answer, together: a list must not wait on workers busy with
 * a storm (5,000 open while their checks ran: 330–440 ms for 50, and `dbops incident list` past its second with 1.5 s).
 */
const STATE_BUDGET_MS = 600;

/**
 * The page's incidents with what a person reads, from the audit store's row (INC id, title, level, next deadline,
 * written by the workflow with each audit event) and the outbox (who was paged). Only an incident whose row the store
 * does not have yet (its opening not recorded: seconds, minutes in a storm), or has from before next deadlines were
 * written, is asked for its live state, within a short budget; one that does not answer is listed from visibility.
 * Asking every one cost 50 replays at 5,000 open (docs/performance.md).
 */
export async function summariseIncidents(
  client: Client,
  pool: Pool,
  roster: Roster,
  items: IncidentListItem[],
): Promise<IncidentSummary[]> {
  if (!items.length) return [];
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (workflow_id) workflow_id, incident_id, title, phase, escalation_level, opened_at, acknowledged_by, drill,
       next_deadline, next_deadline_at
     FROM incidents WHERE workflow_id = ANY($1) ORDER BY workflow_id, opened_at DESC`,
    [items.map((i) => i.workflowId)],
  );
  const stored = new Map(rows.map((r) => [r.workflow_id as string, r]));
  // A running incident's row answers for it when it is open and has its next deadline (a resolved row under a running
  // workflow is an older incident on the same key, or lags: ask the workflow).
  const rowAnswers = (item: IncidentListItem) => {
    const row = stored.get(item.workflowId);
    return item.status !== 'RUNNING' || (!!row && row.phase !== 'resolved' && nextDeadlineOfRow(row) !== undefined);
  };
  const until = Date.now() + STATE_BUDGET_MS;
  const states = await Promise.all(items.map((i) => (rowAnswers(i) ? undefined : liveState(client, i.workflowId, until))));
  // Who was paged, for an incident listed from its row: from the outbox, as the console reads it.
  const unanswered = items.flatMap((item, n) => {
    const incidentId = stored.get(item.workflowId)?.incident_id as string | undefined;
    return !states[n] && incidentId ? [incidentId] : [];
  });
  const pagedStored = await pagedPeople(pool, unanswered);
  const nameOf = (id: string) => personName(roster, id);
  return items.map((item, n) => {
    const row = stored.get(item.workflowId);
    const state = states[n];
    const level = state ? levelLabel(state.escalation.rung ?? state.escalation.level, state.escalation.pass) : undefined;
    const acknowledgedBy = state ? state.acknowledgedBy : row && acknowledgerOfRow(row);
    return {
      incidentId: state?.incidentId ?? row?.incident_id,
      workflowId: item.workflowId,
      title: state?.title ?? row?.title ?? '',
      type: item.type,
      tier: item.tier,
      severity: state?.severity ?? item.severity,
      phase: state?.phase ?? item.phase,
      level: level ?? (row ? levelLabel(row.escalation_level) : undefined),
      openedAt: state?.openedAt ?? (row?.opened_at as Date | undefined)?.toISOString() ?? item.startTime.toISOString(),
      nextDeadline: state ? nextDeadlineOf(state) : (row && nextDeadlineOfRow(row)) || undefined,
      acknowledgedBy: acknowledgedBy ? nameOf(acknowledgedBy) : undefined,
      paged: (state?.paged ?? (row && pagedStored.get(row.incident_id)) ?? []).map(nameOf),
      ...((state?.drill ?? row?.drill) && { drill: true }),
    };
  });
}

async function liveState(client: Client, workflowId: string, until: number): Promise<IncidentState | undefined> {
  try {
    return await client.withDeadline(until, () => client.workflow.getHandle(workflowId).query(incidentStateQuery));
  } catch {
    return undefined;
  }
}
