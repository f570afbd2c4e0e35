import { condition } from '@temporalio/workflow';
import { escalationAt, responseDueAt } from '../../runbooks/escalation';
import { iso, MINUTE } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import { setPhaseAttributes } from './incidentChanges';
import { pageOnOpen } from './ladder';
import type { AlertResolved, IncidentTrigger, OpenIncidentInput } from './messages';

/**
 * Flapping (alert-lifecycle runs). The hold is a durable timer in the incident's own workflow, before its first page:
 * the alert's dedup key already reaches this workflow (its repeats and its clearing are signals to it), the timer
 * survives worker and server restarts, and a clear within the hold is decided in one place with the incident's audit
 * chain at hand, so the suppressed flap is recorded (`flap-suppressed`) where an auditor reads every incident.
 * An incident its alert closed waits out the reopen window: the alert firing again reopens it (`reopened`, counted).
 */

/** Whether this new incident holds before paging: an alert's breach (not a person, not a checklist's measurement). */
export function startHold(ctx: IncidentContext, input: OpenIncidentInput): boolean {
  const { s, plan } = ctx;
  const seconds = plan.lifecycle?.holdForSeconds ?? 0;
  if (seconds <= 0 || input.trigger.source !== 'webhook') return false;
  s.hold = { since: s.openedAt, until: iso(Date.parse(s.openedAt) + seconds * 1000), holdForSeconds: seconds };
  return true;
}

/**
 * Waits for the hold. Held to its end: the incident opens now (its clocks start, nobody could answer before the page)
 * and pages. Cleared meanwhile: the alertResolved handler closed it (clearedInHold), and nobody is paged.
 */
export async function holdBreach(ctx: IncidentContext): Promise<void> {
  const { s, plan, audit } = ctx;
  const hold = s.hold!;
  const cleared = await condition(() => !s.hold || isResolved(s), Math.max(Date.parse(hold.until) - Date.now(), 1));
  if (cleared) return;
  s.hold = undefined;
  const now = Date.parse(hold.until);
  const severity = plan.severities[s.severity];
  const due = responseDueAt(now, plan.type, severity);
  s.openedAt = iso(now);
  s.escalation.responseDueAt = iso(due);
  s.escalation.nextEscalationAt = iso(escalationAt(due, severity, plan.calendar));
  void audit.record('hold-passed', undefined, { since: hold.since, holdForSeconds: hold.holdForSeconds, triggers: s.triggerCount });
  void pageOnOpen(ctx);
}

/** The alert cleared while its breach was held: the hold ends; returns the audit data of the suppressed flap. */
export function clearedInHold(ctx: IncidentContext, r: AlertResolved): Record<string, unknown> {
  const { s } = ctx;
  const hold = s.hold!;
  s.hold = undefined;
  return {
    since: hold.since,
    clearedAt: iso(Date.now()),
    heldMs: Date.now() - Date.parse(hold.since),
    holdForSeconds: hold.holdForSeconds,
    dedupKey: r.dedupKey,
    triggers: s.triggerCount,
  };
}

/** A firing that reaches an incident its alert closed, inside the reopen window: kept for the workflow to reopen. */
export function takeReopen(ctx: IncidentContext, trigger: IncidentTrigger): boolean {
  if (!isResolved(ctx.s) || !ctx.s.closedByAlert) return false;
  ctx.lifecycle.reopenRequest = trigger;
  return true;
}

/**
 * After its alert closed it, the incident waits for the reopen window: a firing meanwhile reopens it (true), and the
 * workflow runs on as the same incident; else it ends (false).
 */
export async function reopenWithinWindow(ctx: IncidentContext): Promise<boolean> {
  const { s, plan, audit } = ctx;
  const minutes = plan.lifecycle?.reopenWithinMinutes ?? 0;
  if (!s.closedByAlert || minutes <= 0) return false;
  const reopened = await condition(() => ctx.lifecycle.reopenRequest !== undefined, minutes * MINUTE);
  if (!reopened) return false;
  const trigger = ctx.lifecycle.reopenRequest!;
  ctx.lifecycle.reopenRequest = undefined;
  const closedAt = s.resolvedAt;
  if (s.acknowledgedBy) s.firstAcknowledged ??= { by: s.acknowledgedBy, at: s.acknowledgedAt! };
  Object.assign(s, {
    phase: 'triggered',
    acknowledgedBy: undefined,
    acknowledgedAt: undefined,
    resolvedBy: undefined,
    resolvedAt: undefined,
    resolution: undefined,
    closedByAlert: false,
    snooze: undefined,
    reopens: (s.reopens ?? 0) + 1,
    returns: (s.returns ?? 0) + 1,
  });
  ctx.lifecycle.endsRecorded.clear();
  const now = Date.now();
  const severity = plan.severities[s.severity];
  const due = responseDueAt(now, plan.type, severity);
  s.escalation = { ...s.escalation, level: 0, rung: 0, pass: 0, responseDueAt: iso(due), responseMissed: false };
  s.escalation.nextEscalationAt = iso(escalationAt(due, severity, plan.calendar));
  setPhaseAttributes(s);
  void audit.record(
    'reopened',
    trigger.by,
    { count: s.reopens, closedAt, withinMinutes: minutes, source: trigger.source, summary: trigger.summary },
    `the alert fired again within ${minutes} min of clearing: reopened (${s.reopens} time${s.reopens === 1 ? '' : 's'})`,
  );
  void pageOnOpen(ctx, 'returned');
  return true;
}
