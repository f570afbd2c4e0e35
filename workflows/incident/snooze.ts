import { condition } from '@temporalio/workflow';
import { formatDuration } from '../../runbooks/duration';
import { isLowerSeverity } from '../../runbooks/severities';
import type { Severity } from '../../runbooks/types';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import { page, pagedRungs } from './ladder';

/**
 * Snooze (alert-lifecycle runs): a responder puts the incident to sleep for a bounded time, with a reason. Its clocks
 * (response deadline, next escalation, acknowledgement timeout) stop; when the snooze ends they move on by exactly the
 * time it lasted, so each keeps the remaining time it had, to the millisecond. A trigger of a higher severity than the
 * incident had when snoozed breaks the snooze and pages again at once.
 */

export type SnoozeEnd = 'expired' | 'broken' | 'ended';

const WHY: Record<SnoozeEnd, string> = {
  expired: 'its time was up',
  broken: 'broken by a trigger of higher severity',
  ended: 'ended early by a person',
};

export function startSnooze(ctx: IncidentContext, actor: string, forMs: number, reason: string, data: Record<string, unknown> = {}): void {
  const { s, deadline, audit } = ctx;
  const now = Date.now();
  s.snooze = { by: actor, reason, since: iso(now), until: iso(now + forMs), severity: s.severity };
  deadline.rearm();
  const paused = {
    ...(!s.escalation.responseMissed && !s.acknowledgedBy && { responseDueAt: s.escalation.responseDueAt }),
    ...(s.escalation.nextEscalationAt && { nextEscalationAt: s.escalation.nextEscalationAt }),
    ...(s.ackTimer && { ackTimer: s.ackTimer }),
  };
  void audit.record('snoozed', actor, { reason, forMs, until: s.snooze.until, paused, ...data }, `for ${formatDuration(forMs)}: ${reason}`);
  const rungs = pagedRungs(ctx.plan, s);
  void audit.send(
    'lifecycle',
    rungs.flatMap((r) => r.contacts),
    `[${s.severity.toUpperCase()}] ${ctx.plan.type.name} on ${s.tier}: ${s.title} — snoozed by ${actor} for ${formatDuration(forMs)} (until ${s.snooze.until}): ${reason} (${s.incidentId})`,
    [...new Set(rungs.flatMap((r) => r.roles))],
  );
}

/**
 * Ends the snooze at `at` (its `until` when it expired, so the clocks resume exactly then): every paused clock moves
 * on by the time the snooze lasted.
 */
export function endSnooze(ctx: IncidentContext, why: SnoozeEnd, at: number, actor?: string, data: Record<string, unknown> = {}): void {
  const { s, deadline, audit } = ctx;
  const snooze = s.snooze;
  if (!snooze) return;
  const pausedMs = Math.max(0, at - Date.parse(snooze.since));
  const later = (t: string) => iso(Date.parse(t) + pausedMs);
  if (!s.escalation.responseMissed) s.escalation.responseDueAt = later(s.escalation.responseDueAt);
  if (s.escalation.nextEscalationAt) s.escalation.nextEscalationAt = later(s.escalation.nextEscalationAt);
  if (s.ackTimer) s.ackTimer = { ...s.ackTimer, remindAt: later(s.ackTimer.remindAt), returnAt: later(s.ackTimer.returnAt) };
  s.snooze = undefined;
  deadline.rearm();
  void audit.record(
    'snooze-ended',
    actor,
    {
      why,
      snoozedBy: snooze.by,
      since: snooze.since,
      until: snooze.until,
      pausedMs,
      resumed: {
        responseDueAt: s.escalation.responseMissed ? undefined : s.escalation.responseDueAt,
        nextEscalationAt: s.escalation.nextEscalationAt,
        ackRemindAt: s.ackTimer?.remindAt,
      },
      ...data,
    },
    WHY[why],
  );
}

/** Ends each snooze when its time is up (the ladder and the acknowledgement timer wait while one lasts). */
export async function runSnoozes(ctx: IncidentContext): Promise<void> {
  const { s } = ctx;
  while (!isResolved(s)) {
    await condition(() => !!s.snooze || isResolved(s));
    const snooze = s.snooze;
    if (!snooze || isResolved(s)) return;
    const until = Date.parse(snooze.until);
    const ended = await condition(() => s.snooze !== snooze || isResolved(s), Math.max(until - Date.now(), 1));
    if (!ended) endSnooze(ctx, 'expired', until);
  }
}

/**
 * A repeat of the alert while snoozed: one of higher severity than the incident had when snoozed breaks the snooze
 * and pages again at once (the rung it was at, unacknowledged; else the acknowledger and those paged).
 */
export function breakSnoozeOnWorseTrigger(ctx: IncidentContext, severity: Severity | undefined, by: string): void {
  const { s, plan, audit } = ctx;
  if (!s.snooze || !severity || !(severity in plan.severities) || !isLowerSeverity(severity, s.snooze.severity)) return;
  const snoozed = s.snooze.severity;
  endSnooze(ctx, 'broken', Date.now(), by, { triggerSeverity: severity, snoozedAtSeverity: snoozed });
  s.returns = (s.returns ?? 0) + 1;
  if (!s.acknowledgedBy) {
    void page(ctx, s.escalation.rung ?? s.escalation.level, 'returned', false, s.escalation.pass ?? 0);
    return;
  }
  const rungs = pagedRungs(plan, s);
  void audit.send(
    'escalation',
    rungs.flatMap((r) => r.contacts),
    `[${severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — a ${severity} alert broke the snooze (acknowledged by ${s.acknowledgedBy}) (${s.incidentId})`,
    [...new Set(rungs.flatMap((r) => r.roles))],
    false,
    `snooze-broken-${s.returns}`,
  );
}
