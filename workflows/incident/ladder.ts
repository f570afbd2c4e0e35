import { nextRungDueAt } from '../../runbooks/escalation';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';

export type PageReason = 'opened' | 'escalated' | 'repeated';

/** Pages one rung of the ladder and records it. Refuses once the incident is acknowledged or resolved. */
export async function page({ plan, s, audit, version }: IncidentContext, level: number, reason: PageReason, atOnce = false): Promise<void> {
  const neverWaits = version.pagingNeverWaits();
  if (isResolved(s)) return; // resolved while the opening was still being written: nobody needs waking
  if (neverWaits && s.acknowledgedBy) return; // someone answered while this page was on its way
  const rung = plan.ladder[level];
  s.escalation.level = Math.max(s.escalation.level, level);
  s.escalation.pages++;
  const kind = reason === 'opened' ? 'paged' : 'escalated';
  // contacts: who held the roles when the incident opened; the page goes to who holds them when it is sent (the
  // notify activity resolves them, and its outbox row and result name them and the roster version).
  const recorded = audit.record(kind, undefined, { level, roles: rung.roles, contacts: rung.contacts.map((c) => c.id), reason });
  if (!neverWaits) await recorded;
  await audit.send(
    reason === 'opened' ? 'page' : 'escalation',
    rung.contacts,
    `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — ${reason === 'opened' ? 'please acknowledge' : `unacknowledged, escalated to level ${level}`} (${s.incidentId})`,
    rung.roles,
    atOnce,
  );
}

/** Pages the first rung (or, for an immediate-escalation severity, the whole ladder at once) when the incident opens. */
export async function pageOnOpen(ctx: IncidentContext): Promise<void> {
  const levels = ctx.plan.severities[ctx.s.severity].escalation.kind === 'immediate' ? ctx.plan.ladder.map((_, level) => level) : [0];
  if (ctx.version.pagingNeverWaits()) {
    const atOnce = ctx.version.firstPageAtOnce();
    // Every rung at once: no rung waits for another's delivery.
    await Promise.all(levels.map((level) => page(ctx, level, 'opened', atOnce)));
  } else {
    for (const level of levels) await page(ctx, level, 'opened');
  }
}

/**
 * The escalation ladder: until someone acknowledges, each missed deadline climbs one rung, and the top rung is
 * paged again at the severity's cadence. Wakes early whenever an Update re-arms the deadline, and looks again
 * after every await, where an acknowledgement may have arrived.
 */
export async function runLadder(ctx: IncidentContext): Promise<void> {
  const { plan, s, audit, deadline, version } = ctx;
  const answered = () => !!s.acknowledgedBy || isResolved(s);
  while (!answered()) {
    const dueMs = Date.parse(s.escalation.responseDueAt);
    const nextMs = s.escalation.nextEscalationAt ? Date.parse(s.escalation.nextEscalationAt) : dueMs;
    const wakeAt = s.escalation.responseMissed ? nextMs : Math.min(dueMs, nextMs);
    const woken = await deadline.sleepUntil(wakeAt, answered);
    if (woken) continue;
    const neverWaits = version.pagingNeverWaits();
    if (!s.escalation.responseMissed && Date.now() >= dueMs) {
      s.escalation.responseMissed = true;
      const recorded = audit.record('response-sla-missed', undefined, { severity: s.severity, dueAt: s.escalation.responseDueAt });
      if (!neverWaits) await recorded;
    }
    if (neverWaits && answered()) break;
    if (Date.now() >= nextMs) {
      const top = plan.ladder.length - 1;
      const level = Math.min(s.escalation.level + 1, top);
      const reason = s.escalation.level === top ? 'repeated' : 'escalated';
      // Set before paging: an acknowledgement that arrives while the page is sent clears it for good.
      s.escalation.nextEscalationAt = iso(nextRungDueAt(Date.now(), plan.type, plan.severities[s.severity], plan.calendar));
      if (neverWaits) {
        // The next deadline does not wait for this page's delivery (a slow channel must not delay the next rung).
        void page(ctx, level, reason);
      } else {
        await page(ctx, level, reason);
      }
    }
  }
}
