import { condition } from '@temporalio/workflow';
import { nextRungDueAt } from '../../runbooks/escalation';
import { levelLabel, nextRung } from '../../runbooks/ladderLevels';
import type { IncidentPlan, LadderRung } from '../../runbooks/plan';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import type { IncidentState } from './messages';
import { pageDiagnosis, rungsAbove } from './pageDiagnosis';

/** `returned`: back in escalation (an acknowledgement lapsed, a snooze broken by a worse alert, a reopen). */
export type PageReason = 'opened' | 'escalated' | 'repeated' | 'returned';

/** The rungs paged so far: who a reminder, a failed step or a downgrade is for. */
export const pagedRungs = (plan: IncidentPlan, s: IncidentState): LadderRung[] => plan.ladder.slice(0, s.escalation.level + 1);

/** What a page says after the incident's headline. */
function pageAsks(reason: PageReason, level: number, pass: number, actionPolicy: boolean): string {
  if (!actionPolicy) return reason === 'opened' ? 'please acknowledge' : `unacknowledged, escalated to level ${level}`;
  if (reason === 'opened') return `please acknowledge (${levelLabel(level, pass)})`;
  if (reason === 'returned') return `back in escalation, please acknowledge (${levelLabel(level, pass)})`;
  return reason === 'repeated'
    ? `still unacknowledged: ${levelLabel(level, pass)}`
    : `unacknowledged, escalated to ${levelLabel(level, pass)}`;
}

/** Pages one rung of the ladder and records it. Refuses once the incident is acknowledged or resolved. */
export async function page(ctx: IncidentContext, level: number, reason: PageReason, atOnce = false, pass = 0): Promise<void> {
  const { plan, s, audit, version } = ctx;
  const neverWaits = version.pagingNeverWaits();
  if (isResolved(s)) return; // resolved while the opening was still being written: nobody needs waking
  if (neverWaits && s.acknowledgedBy) return; // someone answered while this page was on its way
  const rung = plan.ladder[level];
  s.escalation.level = Math.max(s.escalation.level, level);
  s.escalation.pages++;
  const kind = reason === 'opened' ? 'paged' : 'escalated';
  const message = `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — ${pageAsks(reason, level, pass, version.actionPolicy)} (${s.incidentId})`;
  const notificationKind = reason === 'opened' && !s.returns ? 'page' : 'escalation';
  if (!version.actionPolicy) {
    // contacts: who held the roles when the incident opened; the page went to who held them when it was sent.
    const recorded = audit.record(kind, undefined, { level, roles: rung.roles, contacts: rung.contacts.map((c) => c.id), reason });
    if (!neverWaits) await recorded;
    await audit.send(notificationKind, rung.contacts, message, rung.roles, atOnce);
    return;
  }
  s.escalation.rung = level;
  s.escalation.pass = pass;
  const decidedAt = iso(Date.now());
  // The page's identity is what caused it (rung and pass), so a retried first task sends it under the same id.
  // After a return to escalation the ladder pages its rungs again: each return is a cause of its own (E<n>).
  const cause = `L${level + 1}P${pass}${s.returns ? `E${s.returns}` : ''}`;
  const pageData = version.oncallPages ? { fallback: rungsAbove(plan, level), diagnosis: pageDiagnosis(plan, s, level, pass) } : undefined;
  const sent = await audit.send(notificationKind, rung.contacts, message, rung.roles, atOnce, cause, pageData);
  // Recorded once sent: the event names the people the page reached, in the roster in force, inside the chain.
  const paged = sent.recipients ?? rung.contacts.map((c) => c.id);
  s.paged = [...new Set([...(s.paged ?? []), ...paged])];
  void audit.record(kind, undefined, {
    level: level + 1,
    repeat: pass,
    label: levelLabel(level, pass),
    roles: rung.roles,
    paged,
    ...(sent.rosterVersion && { rosterVersion: sent.rosterVersion }),
    // From the activity's answer, like rosterVersion: replay reads the same answer from history.
    ...(sent.scheduleVersion && { scheduleVersion: sent.scheduleVersion }),
    // A role nobody held: until when, and the rung paged instead (never silent: see ONCALL_PAGES).
    ...(version.oncallPages && sent.gaps?.length && { gaps: sent.gaps }),
    reason,
    // The event is written once the page is sent (a slow channel makes that later): when the ladder paged, too.
    decidedAt,
  });
}

/** Pages the first rung (or, for an immediate-escalation severity, the whole ladder at once) when the incident opens. */
export async function pageOnOpen(ctx: IncidentContext, reason: PageReason = 'opened'): Promise<void> {
  const levels = ctx.plan.severities[ctx.s.severity].escalation.kind === 'immediate' ? ctx.plan.ladder.map((_, level) => level) : [0];
  if (ctx.version.pagingNeverWaits()) {
    const atOnce = ctx.version.firstPageAtOnce();
    // Every rung at once: no rung waits for another's delivery.
    await Promise.all(levels.map((level) => page(ctx, level, reason, atOnce)));
  } else {
    for (const level of levels) await page(ctx, level, 'opened');
  }
}

/**
 * The escalation ladder: until someone acknowledges, each missed deadline climbs one rung; after the top it starts
 * again from level 1 (older runs repeat the top rung). Wakes early whenever an Update re-arms the deadline, and looks
 * again after every await, where an acknowledgement may have arrived.
 */
export async function runLadder(ctx: IncidentContext): Promise<void> {
  const { plan, s, audit, deadline, version } = ctx;
  const answered = () => !!s.acknowledgedBy || isResolved(s);
  while (!answered()) {
    if (s.snooze) {
      // Snoozed (alert-lifecycle runs only): its clocks are paused; workflows/incident/snooze.ts moves them on waking.
      await condition(() => !s.snooze || answered());
      continue;
    }
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
      // Set before paging: an acknowledgement that arrives while the page is sent clears it for good.
      s.escalation.nextEscalationAt = iso(nextRungDueAt(Date.now(), plan.type, plan.severities[s.severity], plan.calendar));
      if (version.actionPolicy) {
        climb(ctx);
        continue;
      }
      const top = plan.ladder.length - 1;
      const level = Math.min(s.escalation.level + 1, top);
      const reason = s.escalation.level === top ? 'repeated' : 'escalated';
      if (neverWaits) {
        // The next deadline does not wait for this page's delivery (a slow channel must not delay the next rung).
        void page(ctx, level, reason);
      } else {
        await page(ctx, level, reason);
      }
    }
  }
}

/** One missed deadline: the next rung, or level 1 again after the top (the whole ladder again, for an immediate severity). */
function climb(ctx: IncidentContext): void {
  const { plan, s } = ctx;
  const top = plan.ladder.length - 1;
  const at = { rung: s.escalation.rung ?? s.escalation.level, pass: s.escalation.pass ?? 0 };
  const immediate = plan.severities[s.severity].escalation.kind === 'immediate';
  const next = nextRung(at, top, { immediate, passes: plan.type.ladderPasses });
  const reason = next.pass > at.pass || at.rung === top ? 'repeated' : 'escalated';
  // The next deadline does not wait for this page's delivery (a slow channel must not delay the next rung).
  for (const level of next.levels) void page(ctx, level, reason, false, next.pass);
}
