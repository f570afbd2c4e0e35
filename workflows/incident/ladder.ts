import { patched } from '@temporalio/workflow';
import { nextRungDueAt } from '../../runbooks/escalation';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';

export type PageReason = 'opened' | 'escalated' | 'repeated';

/**
 * Incidents opened before this patch wrote each audit event before paging, and paged a critical ladder one rung at
 * a time; they replay that way. Later runs page first: the audit catches up behind the page, never in front of it.
 */
export const PAGING_NEVER_WAITS = 'paging-never-waits';

/**
 * Incidents opened before this patch sent their opening pages as ordinary activities; later ones send them as local
 * activities within the first workflow task: no round trip through the server, no wait in the task queue behind
 * other incidents' audit writes and checks. Alert → first page p50 went from 1.71 and 1.88 × the bare Temporal
 * baseline to 1.36 and 1.41 (bench, same machine and load, two runs each).
 */
export const FIRST_PAGE_AT_ONCE = 'first-page-at-once';

/** Pages one rung of the ladder and records it. Refuses once the incident is acknowledged or resolved. */
export async function page({ plan, s, audit }: IncidentContext, level: number, reason: PageReason, atOnce = false): Promise<void> {
  const neverWaits = patched(PAGING_NEVER_WAITS);
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
  if (patched(PAGING_NEVER_WAITS)) {
    const atOnce = patched(FIRST_PAGE_AT_ONCE);
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
  const { plan, s, audit, deadline } = ctx;
  const answered = () => !!s.acknowledgedBy || isResolved(s);
  while (!answered()) {
    const dueMs = Date.parse(s.escalation.responseDueAt);
    const nextMs = s.escalation.nextEscalationAt ? Date.parse(s.escalation.nextEscalationAt) : dueMs;
    const wakeAt = s.escalation.responseMissed ? nextMs : Math.min(dueMs, nextMs);
    const woken = await deadline.sleepUntil(wakeAt, answered);
    if (woken) continue;
    const neverWaits = patched(PAGING_NEVER_WAITS);
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
