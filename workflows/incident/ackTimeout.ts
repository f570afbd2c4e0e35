import { condition } from '@temporalio/workflow';
import { nextRungDueAt } from '../../runbooks/escalation';
import { iso, MINUTE } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import { setPhaseAttributes } from './incidentChanges';
import { page, pageOnOpen, runLadder } from './ladder';

/**
 * Acknowledgement timeout (alert-lifecycle runs): an acknowledged incident that nobody updates (a note, a step, a
 * severity change: any person's Update) within its severity's ackTimeoutMinutes reminds its acknowledger; after
 * ackGraceMinutes more it returns to escalation, paging the ladder again from the rung it was at. The timer is
 * re-armed by every Update and ends with the incident, so an acknowledgement never escalates months later.
 */

/** (Re-)arms the timer from now; nothing while the incident is unacknowledged or resolved. */
export function armAckTimer(ctx: IncidentContext): void {
  const { s, plan, version } = ctx;
  if (!version.alertLifecycle || !plan.lifecycle || !s.acknowledgedBy || isResolved(s)) {
    s.ackTimer = undefined;
    return;
  }
  const l = plan.lifecycle.severities[s.severity];
  const now = Date.now();
  s.ackTimer = {
    remindAt: iso(now + l.ackTimeoutMinutes * MINUTE),
    returnAt: iso(now + (l.ackTimeoutMinutes + l.ackGraceMinutes) * MINUTE),
    reminded: false,
  };
}

/** Waits for each armed timer; a snooze pauses it (workflows/incident/snooze.ts moves its times on). */
export async function runAckTimeout(ctx: IncidentContext): Promise<void> {
  const { s } = ctx;
  for (;;) {
    await condition(() => isResolved(s) || (!!s.ackTimer && !s.snooze));
    if (isResolved(s)) {
      s.ackTimer = undefined;
      return;
    }
    const timer = s.ackTimer!;
    const at = Date.parse(timer.reminded ? timer.returnAt : timer.remindAt);
    const moved = await condition(() => isResolved(s) || !!s.snooze || s.ackTimer !== timer, Math.max(at - Date.now(), 1));
    if (moved) continue;
    if (!timer.reminded) remind(ctx);
    else returnToEscalation(ctx);
  }
}

function remind(ctx: IncidentContext): void {
  const { s, plan, audit } = ctx;
  const timer = s.ackTimer!;
  s.ackTimer = { ...timer, reminded: true };
  const l = plan.lifecycle!.severities[s.severity];
  const acknowledger = plan.ladder.flatMap((r) => r.contacts).find((c) => c.id === s.acknowledgedBy);
  void audit.record('ack-reminder', undefined, {
    acknowledgedBy: s.acknowledgedBy,
    timeoutMinutes: l.ackTimeoutMinutes,
    returnAt: timer.returnAt,
  });
  // A monitoring tool's acknowledgement has nobody to remind: the audit says so, and the grace runs on.
  if (!acknowledger) return;
  void audit.send(
    'lifecycle',
    [acknowledger],
    `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — acknowledged by you, no update for ${l.ackTimeoutMinutes} min: add a note or resolve it, or it returns to escalation at ${timer.returnAt} (${s.incidentId})`,
    undefined,
    false,
    `ack-reminder-${s.returns ?? 0}-${timer.remindAt}`,
  );
}

/** The acknowledgement lapses: the incident is unacknowledged again and its ladder pages from the rung it was at. */
function returnToEscalation(ctx: IncidentContext): void {
  const { s, plan, audit } = ctx;
  const l = plan.lifecycle!.severities[s.severity];
  const lapsed = { by: s.acknowledgedBy!, at: s.acknowledgedAt! };
  s.firstAcknowledged ??= lapsed;
  s.acknowledgedBy = undefined;
  s.acknowledgedAt = undefined;
  s.ackTimer = undefined;
  s.phase = 'triggered';
  s.returns = (s.returns ?? 0) + 1;
  const now = Date.now();
  const rung = s.escalation.rung ?? s.escalation.level;
  const pass = s.escalation.pass ?? 0;
  // The next rung is due as after any page; nobody answering the page again is a response breach.
  const next = iso(nextRungDueAt(now, plan.type, plan.severities[s.severity], plan.calendar));
  s.escalation.nextEscalationAt = next;
  if (!s.escalation.responseMissed) s.escalation.responseDueAt = next;
  setPhaseAttributes(s);
  void audit.record(
    'ack-timed-out',
    undefined,
    {
      acknowledgedBy: lapsed.by,
      acknowledgedAt: lapsed.at,
      timeoutMinutes: l.ackTimeoutMinutes,
      graceMinutes: l.ackGraceMinutes,
      level: rung + 1,
    },
    `no update for ${l.ackTimeoutMinutes + l.ackGraceMinutes} min after ${lapsed.by}'s acknowledgement: back in escalation`,
  );
  // An immediate severity pages its whole ladder again, as when it opened.
  if (plan.severities[s.severity].escalation.kind === 'immediate') void pageOnOpen(ctx, 'returned');
  else void page(ctx, rung, 'returned', false, pass);
  void runLadder(ctx);
}
