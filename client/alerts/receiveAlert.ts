import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import { findAlertKey, recordAlertKey } from '../../db/alerts/alertKeys';
import { fingerprintOfKey } from '../../lib/alertFingerprint';
import { DEFAULT_RESOLVE_POLICY, renderTemplate, routeAlert, type RoutableAlert, type RoutingConfig } from '../../runbooks/alertRouting';
import { clipText, TEXT_LIMITS } from '../../runbooks/limits';
import type { Roster } from '../../runbooks/roster';
import type { Runbook } from '../../runbooks/runbook';
import { INTEGRATION_ROLE, type BusinessCalendar, type IncidentTypeId } from '../../runbooks/types';
import { alertResolvedSignal } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { acknowledgeIncident } from '../incidents/incidentActions';
import { isRunOfChain, latestRunOf } from '../incidents/latestRun';
import { resolveHeldAlert } from '../../db/maintenance/windows';
import { admitAlert } from './admitAlert';

/** What receiving a monitoring tool's alert needs: Temporal, the audit store (alert_keys) and the routing in force. */
export interface AlertContext {
  client: Client;
  taskQueue: string;
  pool: Pool;
  roster: () => Roster;
  calendar: BusinessCalendar;
  /** The routing in force, asked once per alert (the runbook file's follows its edits). */
  routing: () => RoutingConfig;
  /** Incidents it opens continue as new after this many history events (tests; the workflow's default otherwise). */
  continueAsNewAfterEvents?: number;
  /** The runbook in force, whose version new incidents freeze into their plan; the shipped one when absent. */
  runbook?: () => Runbook;
}

/** A firing alert, already parsed from its format. */
export interface FiringAlert {
  integration: string;
  dedupKey: string;
  alert: Omit<RoutableAlert, 'integration'>;
  /** The fingerprint's key when the routing rule has no template. */
  defaultKey: string;
  summary: string;
  detail: string;
  firedAt?: string;
}

export const integrationActor = (integration: string) => `integration:${integration}`;

/**
 * Opens the incident the routing rules give (or counts a repeat of the open one), and points the alert's dedup key
 * at it, so its acknowledge and resolve reach it. An alert no rule routes opens a triage incident saying why.
 */
export async function triggerAlert(ctx: AlertContext, a: FiringAlert, receivedAt: Date) {
  const alert: RoutableAlert = { ...a.alert, integration: a.integration };
  const route = routeAlert(ctx.routing(), alert);
  const rendered = route.fingerprintTemplate ? renderTemplate(route.fingerprintTemplate, alert.labels) : '';
  // A template whose labels are all missing renders to separators only: fall back to the alert's own key.
  const fingerprint = fingerprintOfKey(/[A-Za-z0-9]/.test(rendered) ? rendered : a.defaultKey);
  const summary = [route.triage, a.summary, a.detail].filter(Boolean).join(' — ');
  const admitted = await admitAlert(
    { ...ctx, roster: ctx.roster() },
    {
      integration: a.integration,
      dedupKey: a.dedupKey,
      labels: alert.labels,
      request: {
        type: route.type,
        tier: route.tier,
        severity: route.severity,
        fingerprint,
        title: clipText(a.summary, TEXT_LIMITS.title) || undefined,
        summary: clipText(summary, TEXT_LIMITS.summary),
        by: integrationActor(a.integration),
        firedAt: a.firedAt,
      },
      flap: route.flap,
    },
    receivedAt,
  );
  // The alert's dedup key reaches the incident it opened, so its source's acknowledge and resolve do too.
  if (admitted.outcome === 'opened')
    await recordAlertKey(ctx.pool, a.integration, a.dedupKey, { workflowId: admitted.workflowId, firstRunId: admitted.runId });
  return {
    workflowId: admitted.workflowId,
    fingerprint,
    route,
    heldBy: admitted.outcome === 'held' ? admitted.heldBy : undefined,
    groupedInto: admitted.outcome === 'grouped' ? admitted.groupedInto : undefined,
  };
}

/** What became of an acknowledge or resolve: done, or dropped and why (PagerDuty answers 202 either way). */
export type AlertOutcome = { done: true; workflowId?: string; message: string } | { done: false; workflowId?: string; message: string };

/** The running incident an integration's dedup key opened, or why there is none to act on. */
type KeyLookup =
  | { dropped: string; workflowId?: string }
  | { dropped?: undefined; handle: WorkflowHandle<typeof incidentResponse>; key: { workflowId: string; firstRunId: string } };

async function incidentOfKey(ctx: AlertContext, integration: string, dedupKey: string): Promise<KeyLookup> {
  const key = await findAlertKey(ctx.pool, integration, dedupKey);
  if (!key) return { dropped: 'no incident was opened by this dedup_key' };
  const run = await latestRunOf(ctx.client, key.workflowId, (firstRunId) =>
    isRunOfChain(ctx.client, key.workflowId, key.firstRunId, firstRunId),
  );
  if (run.kind === 'missing') return { dropped: `the incident of this dedup_key (${key.workflowId}) no longer exists` };
  if (run.kind !== 'ours' || !run.running)
    return { dropped: `the incident of this dedup_key (${key.workflowId}) is already resolved`, workflowId: key.workflowId };
  return { handle: run.handle, key: { workflowId: key.workflowId, firstRunId: run.firstRunId } };
}

/**
 * The monitoring tool acknowledged: the incident is acknowledged as `integration:<name>`, through the same Update
 * and validators as a person's acknowledgement (with the monitoring-integration role, which approves nothing).
 */
export async function acknowledgeAlert(ctx: AlertContext, integration: string, dedupKey: string): Promise<AlertOutcome> {
  const found = await incidentOfKey(ctx, integration, dedupKey);
  if (found.dropped !== undefined) return { done: false, workflowId: found.workflowId, message: found.dropped };
  const { handle, key } = found;
  try {
    await acknowledgeIncident(
      handle,
      { actor: integrationActor(integration), roles: [INTEGRATION_ROLE] },
      `acknowledged at the source (dedup_key ${clipText(dedupKey, 200)})`,
    );
    return { done: true, workflowId: key.workflowId, message: 'incident acknowledged' };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      return { done: false, workflowId: key.workflowId, message: err.cause?.message ?? err.message };
    throw err;
  }
}

/** The type's policy for a resolved alert: the routing file's, else DEFAULT_RESOLVE_POLICY. */
function policyOf(ctx: AlertContext, workflowId: string) {
  const type: IncidentTypeId = workflowId.split('/')[1];
  return ctx.routing().resolvePolicy[type] ?? DEFAULT_RESOLVE_POLICY[type] ?? 'record';
}

/**
 * The monitoring tool says the alert is over: the incident applies its type's policy (alertResolved signal): closes
 * when nobody has acted and the policy is `resolve`, else records it and tells the responders.
 */
export async function resolveAlert(
  ctx: AlertContext,
  integration: string,
  dedupKey: string,
  extra: { summary?: string; endedAt?: string } = {},
): Promise<AlertOutcome> {
  // An alert a maintenance window holds is over: it will not open its incident when the window ends.
  const heldResolved = await resolveHeldAlert(ctx.pool, integration, dedupKey, Date.now());
  const found = await incidentOfKey(ctx, integration, dedupKey);
  if (found.dropped !== undefined) {
    if (heldResolved) return { done: true, message: 'resolved while held by a maintenance window: it will not open its incident' };
    return { done: false, workflowId: found.workflowId, message: found.dropped };
  }
  const { handle, key } = found;
  const policy = policyOf(ctx, key.workflowId);
  await handle.signal(alertResolvedSignal, {
    by: integrationActor(integration),
    policy,
    firstRunId: key.firstRunId,
    dedupKey: clipText(dedupKey, TEXT_LIMITS.summary),
    summary: extra.summary && clipText(extra.summary, TEXT_LIMITS.summary),
    endedAt: extra.endedAt,
  });
  return { done: true, workflowId: key.workflowId, message: `resolve sent to the incident (policy ${policy})` };
}
