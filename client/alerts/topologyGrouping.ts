import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import {
  forgetTopologyIncident,
  recordTopologyIncident,
  topologyIncidents,
  type TopologyIncident,
} from '../../db/alerts/topologyIncidents';
import { clipText, TEXT_LIMITS } from '../../runbooks/limits';
import {
  GROUPING,
  groupingCauses,
  isPrimaryOutage,
  isReplicaSymptom,
  nodeOf,
  type GroupableAlert,
  type Topology,
} from '../../runbooks/topology';
import {
  incidentStateQuery,
  linkedIntoUpdate,
  relateAlertUpdate,
  relatedAlertSignal,
  type RelatedAlert,
} from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';

/** What the intake needs to group: Temporal (the Updates) and the audit store (which outages are open). */
export interface GroupingContext {
  client: Client;
  pool: Pool;
}

/** An alert about to page, with what the incident it joins records about it. */
export interface AlertToGroup extends GroupableAlert {
  title: string;
  summary?: string;
  by: string;
  dedupKey?: string;
}

/** The incident an alert joined instead of paging. */
export interface GroupedInto {
  workflowId: string;
  incidentId: string;
  cause: RelatedAlert['cause'];
  why: string;
}

const WINDOW_MS = GROUPING.windowSeconds * 1000;

const handleOf = (ctx: GroupingContext, workflowId: string, firstRunId: string) =>
  ctx.client.workflow.getHandle<typeof incidentResponse>(workflowId, undefined, { firstExecutionRunId: firstRunId });

/** Whether an Update failed because its incident is over, or is a run older than grouping: then it groups nothing. */
const refusedByIncident = (err: unknown) => err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError;

/**
 * Joins the alert to the open primary outage its topology (the runbook in force's tiers: runbooks/topology.ts) names as its cause: a replica's
 * symptom while the outage is open, a symptom of the same cause within the grouping window. The incident records it
 * as a related alert (counted, in its audit with why), and nothing pages. Undefined: no open cause (or it closed
 * meanwhile, or is a run older than grouping): the caller pages as usual.
 */
export async function groupIntoCause(
  ctx: GroupingContext,
  a: AlertToGroup,
  at: number,
  topology: Topology,
): Promise<GroupedInto | undefined> {
  for (const cause of groupingCauses(a, topology)) {
    const since = cause.kind === 'topology' ? 0 : at - WINDOW_MS;
    for (const outage of await topologyIncidents(ctx.pool, 'primary-outage', [cause.tier], since)) {
      const related = {
        by: a.by,
        type: a.type,
        tier: a.tier,
        ...(cause.node && { node: cause.node }),
        title: clipText(a.title, TEXT_LIMITS.title),
        ...(a.summary && { summary: clipText(a.summary, TEXT_LIMITS.summary) }),
        ...(a.dedupKey && { dedupKey: clipText(a.dedupKey, TEXT_LIMITS.summary) }),
        cause: cause.kind,
        why: cause.why,
      };
      try {
        const incidentId = await relateTo(ctx, outage, related);
        return { workflowId: outage.workflowId, incidentId, cause: cause.kind, why: cause.why };
      } catch (err) {
        if (!refusedByIncident(err)) throw err;
        await forgetTopologyIncident(ctx.pool, outage.workflowId, outage.firstRunId);
      }
    }
  }
  return undefined;
}

/**
 * How long an outage's answer to a relateAlert Update stands for this process: alerts after the first are sent as
 * signals, which the server keeps and answers at once (an Update waits for the outage's next workflow task, which
 * a storm of other incidents' tasks held past the intake's deadline: 503). An outage resolved through this process
 * is forgotten at once (outageResolved); one resolved elsewhere within this time still receives them, and records
 * them as arrived after it resolved.
 */
const CONFIRMED_MS = 5_000;
const confirmed = new Map<string, { incidentId: Promise<string>; at: number }>();

/** An incident resolved through this process takes no more related alerts by signal. */
export function outageResolved(workflowId: string): void {
  for (const key of confirmed.keys()) if (key.startsWith(`${workflowId}/`)) confirmed.delete(key);
}

/** Relates the alert to the outage: by Update when it has not confirmed lately (refusals throw), else by signal. */
async function relateTo(ctx: GroupingContext, outage: TopologyIncident, related: Omit<RelatedAlert, 'at'>): Promise<string> {
  const key = `${outage.workflowId}/${outage.firstRunId}`;
  const handle = handleOf(ctx, outage.workflowId, outage.firstRunId);
  const known = confirmed.get(key);
  if (known && Date.now() - known.at < CONFIRMED_MS) {
    const incidentId = await known.incidentId.catch(() => undefined);
    if (incidentId !== undefined) {
      await handle.signal(relatedAlertSignal, related);
      return incidentId;
    }
  }
  // One Update at a time per outage: the alerts arriving meanwhile wait for its answer, then signal.
  const asked = handle.executeUpdate(relateAlertUpdate, { args: [related] }).then((r) => r.incidentId);
  confirmed.set(key, { incidentId: asked, at: Date.now() });
  for (const [k, v] of confirmed) if (Date.now() - v.at >= CONFIRMED_MS) confirmed.delete(k);
  try {
    return await asked;
  } catch (err) {
    if (confirmed.get(key)?.incidentId === asked) confirmed.delete(key);
    throw err;
  }
}

/**
 * After the alert opened (or repeated) its incident: a primary's outage is recorded, so its replicas' alerts join
 * it, and links each incident a replica's symptom opened within the grouping window before it (those pages went out
 * and stay on their incidents' records: each is told it is linked, and the outage lists it as a related alert). A
 * replica's symptom that paged is recorded, for an outage opening soon after to link.
 */
export async function recordForGrouping(
  ctx: GroupingContext,
  a: AlertToGroup,
  opened: { workflowId: string; firstRunId: () => Promise<string> },
  at: number,
  topology: Topology,
): Promise<void> {
  const node = nodeOf(a.labels);
  if (isReplicaSymptom(a, topology)) {
    const row = { workflowId: opened.workflowId, firstRunId: await opened.firstRunId() };
    await recordTopologyIncident(ctx.pool, { ...row, tier: a.tier, node: node!, role: 'replica-symptom', openedAt: at });
    return;
  }
  if (!isPrimaryOutage(a, topology)) return;
  const primary = topology[a.tier].primary;
  const firstRunId = await opened.firstRunId();
  const row = { workflowId: opened.workflowId, firstRunId, tier: a.tier, node: primary, role: 'primary-outage' as const, openedAt: at };
  if (!(await recordTopologyIncident(ctx.pool, row))) return;
  const outage = handleOf(ctx, opened.workflowId, firstRunId);
  for (const earlier of await topologyIncidents(ctx.pool, 'replica-symptom', [a.tier], at - WINDOW_MS)) {
    const why = `${earlier.node} is a replica of ${primary}; its incident opened ${Math.round((at - earlier.openedAt) / 1000)} s before ${primary}'s outage`;
    try {
      const { incidentId: outageId } = await outage.query(incidentStateQuery);
      const linked = await handleOf(ctx, earlier.workflowId, earlier.firstRunId).executeUpdate(linkedIntoUpdate, {
        args: [{ by: 'dbops', incidentId: outageId, workflowId: opened.workflowId, why }],
      });
      await outage.executeUpdate(relateAlertUpdate, {
        args: [
          {
            by: 'dbops',
            type: earlier.workflowId.split('/')[1] as RelatedAlert['type'],
            tier: a.tier,
            node: earlier.node,
            title: `incident ${linked.incidentId} of ${earlier.node}`,
            cause: 'earlier-incident',
            why: `${why}: linked, its pages stand`,
            incidentId: linked.incidentId,
            workflowId: earlier.workflowId,
          },
        ],
      });
    } catch (err) {
      if (!refusedByIncident(err)) throw err;
    }
    await forgetTopologyIncident(ctx.pool, earlier.workflowId, earlier.firstRunId);
  }
}
