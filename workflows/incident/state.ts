import { workflowInfo } from '@temporalio/workflow';
import type { IncidentSnapshot } from '../../activities/contracts';
import { escalationAt, responseDueAt } from '../../runbooks/escalation';
import { iso } from '../shared/time';
import { incidentIdOf } from './incidentId';
import { nextDeadlineOf } from './nextDeadline';
import type { IncidentState, OpenIncidentInput } from './messages';

/**
 * How far before the workflow's start an alert's receive time may set its clocks. receivedAt is another machine's
 * clock: a skewed intake, or a trigger replayed from a queue hours later, must not open an incident already far past
 * its SLA (the ladder would skip its first rungs and MTTA would be meaningless). An hour is far beyond any real
 * delay between intake and the workflow's first task, and beyond the response SLA of every severity but low.
 */
export const MAX_ALERT_AGE_MS = 60 * 60_000;

/**
 * When the incident's clocks start: when its alert was received, not when the workflow got its first task (which
 * under load trails the alert by seconds to minutes). Never in the future, never more than MAX_ALERT_AGE_MS back.
 */
export function clockStartOf(input: OpenIncidentInput, now: number): number {
  const received = input.trigger.receivedAt ? Date.parse(input.trigger.receivedAt) : NaN;
  if (Number.isNaN(received)) return now; // incidents opened before receivedAt existed, or an unreadable stamp
  return Math.min(now, Math.max(received, now - MAX_ALERT_AGE_MS));
}

/** The state of a newly opened incident: clocks start when its alert was received, every step pending. */
export function initialState(input: OpenIncidentInput): IncidentState {
  const info = workflowInfo();
  const openedAt = clockStartOf(input, Date.now());
  const type = input.plan.type;
  const severity = input.plan.severities[input.severity];
  const due = responseDueAt(openedAt, type, severity);
  return {
    incidentId: incidentIdOf(openedAt, info.firstExecutionRunId),
    workflowId: info.workflowId,
    incidentKey: input.incidentKey,
    type: input.type,
    severity: input.severity,
    tier: input.tier,
    fingerprint: input.fingerprint,
    title: input.title,
    runbookVersion: input.plan.runbookVersion,
    phase: 'triggered',
    openedAt: iso(openedAt),
    triggerCount: 0,
    escalation: {
      level: 0,
      pages: 0,
      responseDueAt: iso(due),
      responseMissed: false,
      nextEscalationAt: iso(escalationAt(due, severity, input.plan.calendar)),
    },
    currentStep: 0,
    stepsAborted: false,
    steps: type.steps.map((d) => ({ id: d.id, title: d.title, kind: d.kind, status: 'pending', attempts: 0 })),
    notes: [],
    timeline: [],
    auditSeq: 0,
    runs: 1,
  };
}

/** The incidents row as of now, written beside each audit event. */
export function snapshotOf(s: IncidentState): IncidentSnapshot {
  return {
    incidentId: s.incidentId,
    workflowId: s.workflowId,
    type: s.type,
    severity: s.severity,
    tier: s.tier,
    fingerprint: s.fingerprint,
    title: s.title,
    phase: s.phase,
    runbookVersion: s.runbookVersion,
    openedAt: s.openedAt,
    // The first acknowledgement is the one MTTA counts (and audit verify recomputes), whatever lapsed or reopened since.
    acknowledgedAt: s.firstAcknowledged?.at ?? s.acknowledgedAt,
    acknowledgedBy: s.firstAcknowledged?.by ?? s.acknowledgedBy,
    resolvedAt: s.resolvedAt,
    resolution: s.resolution,
    triggerCount: s.triggerCount,
    escalationLevel: s.escalation.level,
    ...(s.drill && { drill: true }),
    nextDeadline: nextDeadlineOf(s) ?? null,
  };
}
