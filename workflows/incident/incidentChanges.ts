import { upsertSearchAttributes } from '@temporalio/workflow';
import { escalationAt, responseDueAt } from '../../runbooks/escalation';
import { isLowerSeverity } from '../../runbooks/severities';
import type { ClassifiedTypeId, Severity } from '../../runbooks/types';
import { SA_PHASE, SA_SEVERITY, SA_TYPE } from '../shared/searchAttributes';
import { iso } from '../shared/time';
import type { IncidentContext } from './context';
import { pagedRungs } from './ladder';
import type { IncidentState } from './messages';

/** What the Updates change beyond a field or two: severity (and its clocks) and classification. */

export const setPhaseAttributes = (s: IncidentState) =>
  upsertSearchAttributes([
    { key: SA_PHASE, value: s.phase },
    { key: SA_SEVERITY, value: s.severity },
  ]);

/**
 * A new severity. Unacknowledged, the clocks follow it, but (in action-policy runs) never later than they already
 * were: a downgrade never delays a page that was due, and everyone paged so far is told who lowered it and why.
 */
export function lowerOrRaiseSeverity(ctx: IncidentContext, to: Severity, actor: string, reason: string | undefined): void {
  const { plan, s, deadline, version } = ctx;
  const from = s.severity;
  s.severity = to;
  if (!s.acknowledgedBy) {
    const severityDef = plan.severities[to];
    const due = responseDueAt(Date.now(), plan.type, severityDef);
    const next = escalationAt(due, severityDef, plan.calendar);
    if (!version.actionPolicy) {
      // Older runs re-armed the clocks from now with the new severity's times, later or not.
      s.escalation.responseDueAt = iso(due);
      s.escalation.responseMissed = false;
      s.escalation.nextEscalationAt = iso(next);
    } else {
      if (!s.escalation.responseMissed && due < Date.parse(s.escalation.responseDueAt)) s.escalation.responseDueAt = iso(due);
      const pending = s.escalation.nextEscalationAt ? Date.parse(s.escalation.nextEscalationAt) : Infinity;
      if (next < pending) s.escalation.nextEscalationAt = iso(next);
    }
  }
  deadline.rearm();
  setPhaseAttributes(s);
  if (version.actionPolicy && isLowerSeverity(from, to)) announceDowngrade(ctx, from, actor, reason);
}

function announceDowngrade({ plan, s, audit }: IncidentContext, from: Severity, actor: string, reason: string | undefined): void {
  const rungs = pagedRungs(plan, s);
  const name = plan.ladder.flatMap((r) => r.contacts).find((c) => c.id === actor)?.name ?? actor;
  const clock = s.acknowledgedBy
    ? `acknowledged by ${s.acknowledgedBy}`
    : `still unacknowledged: the next page stays due at ${s.escalation.nextEscalationAt ?? s.escalation.responseDueAt}`;
  void audit.send(
    'severity-changed',
    rungs.flatMap((r) => r.contacts),
    `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — severity lowered from ${from} to ${s.severity} by ${name} (${actor}): ${reason ?? ''}; ${clock} (${s.incidentId})`,
    [...new Set(rungs.flatMap((r) => r.roles))],
  );
}

/** An unclassified incident becomes `type`: the classify step is done, and that type's steps follow it. */
export function classify({ plan, s }: IncidentContext, type: ClassifiedTypeId, actor: string, note: string | undefined): void {
  const def = plan.classifyInto![type]!;
  const classifyStep = s.steps[s.currentStep];
  Object.assign(classifyStep, { status: 'completed', outcome: 'pass', by: actor, note, finishedAt: iso(Date.now()) });
  // The plan is carried across continue-as-new with the state: both now say what the incident is.
  plan.type = { ...def, steps: [plan.type.steps[s.currentStep], ...def.steps] };
  s.classifiedFrom = s.type;
  s.type = type;
  s.steps.push(...def.steps.map((d) => ({ id: d.id, title: d.title, kind: d.kind, status: 'pending' as const, attempts: 0 })));
  upsertSearchAttributes([{ key: SA_TYPE, value: type }]);
}
