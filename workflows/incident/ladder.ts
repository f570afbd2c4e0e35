import { nextRungDueAt } from '../../runbooks/escalation';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';

export type PageReason = 'opened' | 'escalated' | 'repeated';

/** Pages one rung of the ladder and records it. */
export async function page({ plan, s, audit }: IncidentContext, level: number, reason: PageReason): Promise<void> {
  if (isResolved(s)) return; // resolved while the opening was still being written: nobody needs waking
  const rung = plan.ladder[level];
  s.escalation.level = Math.max(s.escalation.level, level);
  s.escalation.pages++;
  const kind = reason === 'opened' ? 'paged' : 'escalated';
  await audit.record(kind, undefined, { level, roles: rung.roles, contacts: rung.contacts.map((c) => c.id), reason });
  await audit.send(
    reason === 'opened' ? 'page' : 'escalation',
    rung.contacts,
    `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — ${reason === 'opened' ? 'please acknowledge' : `unacknowledged, escalated to level ${level}`} (${s.incidentId})`,
  );
}

/** Pages the first rung (or, for an immediate-escalation severity, the whole ladder at once) when the incident opens. */
export async function pageOnOpen(ctx: IncidentContext): Promise<void> {
  if (ctx.plan.severities[ctx.s.severity].escalation.kind === 'immediate') {
    for (let level = 0; level < ctx.plan.ladder.length; level++) await page(ctx, level, 'opened');
  } else {
    await page(ctx, 0, 'opened');
  }
}

/**
 * The escalation ladder: until someone acknowledges, each missed deadline climbs one rung, and the top rung is
 * paged again at the severity's cadence. Wakes early whenever an Update re-arms the deadline, and looks again.
 */
export async function runLadder(ctx: IncidentContext): Promise<void> {
  const { plan, s, audit, deadline } = ctx;
  while (!s.acknowledgedBy && !isResolved(s)) {
    const dueMs = Date.parse(s.escalation.responseDueAt);
    const nextMs = s.escalation.nextEscalationAt ? Date.parse(s.escalation.nextEscalationAt) : dueMs;
    const wakeAt = s.escalation.responseMissed ? nextMs : Math.min(dueMs, nextMs);
    const woken = await deadline.sleepUntil(wakeAt, () => !!s.acknowledgedBy || isResolved(s));
    if (woken) continue;
    if (!s.escalation.responseMissed && Date.now() >= dueMs) {
      s.escalation.responseMissed = true;
      await audit.record('response-sla-missed', undefined, { severity: s.severity, dueAt: s.escalation.responseDueAt });
    }
    if (Date.now() >= nextMs) {
      const top = plan.ladder.length - 1;
      const level = Math.min(s.escalation.level + 1, top);
      const reason = s.escalation.level === top ? 'repeated' : 'escalated';
      // Set before paging: an acknowledgement that arrives while the page is sent clears it for good.
      s.escalation.nextEscalationAt = iso(nextRungDueAt(Date.now(), plan.type, plan.severities[s.severity], plan.calendar));
      await page(ctx, level, reason);
    }
  }
}
