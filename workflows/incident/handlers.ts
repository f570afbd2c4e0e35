import { ApplicationFailure, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { escalationAt, responseDueAt } from '../../runbooks/escalation';
import { OUTCOMES, STEP_DECISIONS, type Role } from '../../runbooks/types';
import type { AutomatedStep } from '../../runbooks/types';
import { requireOneOf, requireResponder } from '../shared/authorisation';
import { requireEvidence, requireText, storableText } from '../shared/inputChecks';
import { SA_PHASE, SA_SEVERITY } from '../shared/searchAttributes';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertResolvedSignal,
  approveStepUpdate,
  changeSeverityUpdate,
  completeStepUpdate,
  decideStepUpdate,
  deliveryFailedSignal,
  incidentStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  triggerSignal,
  type ActorRequest,
  type StepState,
} from './messages';

const NOTES_KEPT = 50;

/**
 * The incident's query, trigger signal and Updates. Each Update's validator rejects (leaving no event in history)
 * anything the person may not do or that the incident's phase does not allow; the handler changes the state,
 * re-arms the ladder where its clocks may have moved, and records the transition.
 */
export function registerIncidentHandlers({ plan, s, audit, deadline, version }: IncidentContext): void {
  // A storm-ready run answers a person once the change is made and its audit event is in the chain: the event is
  // written behind the incident's earlier ones, in order and retried until it lands, and after a burst of alerts
  // those wait behind thousands of others (acknowledging the last of 2,000 incidents took 193 s when it waited).
  const recordAnswer = async (...event: Parameters<typeof audit.record>): Promise<void> => {
    const written = audit.record(...event);
    if (!version.stormReady) await written;
  };
  const requireActor = (request: ActorRequest, roles?: Role[], action?: string) => {
    requireText('actor', request.actor);
    return requireResponder(plan.responders, request.actor, roles, action, request);
  };
  // Which roster decided: recorded with each decision when the API sent the one in force.
  const rosterOf = (rosterVersion?: string) => (rosterVersion ? { rosterVersion } : {});
  const requireStepId = (stepId: string) => requireText('stepId', stepId);
  const requireOpen = () => {
    if (isResolved(s)) throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} is already resolved`, 'AlreadyResolved');
  };
  const findStep = (stepId: string, status?: StepState['status']): StepState => {
    const step = s.steps.find((x) => x.id === stepId);
    if (!step)
      throw ApplicationFailure.nonRetryable(`unknown step '${stepId}'; steps are: ${s.steps.map((x) => x.id).join(', ')}`, 'UnknownStep');
    if (status && step.status !== status) {
      throw ApplicationFailure.nonRetryable(`step '${stepId}' is ${step.status}, not ${status}`, 'StepNotWaiting');
    }
    return step;
  };
  const approvalRolesOf = (stepId: string) => (plan.type.steps.find((x) => x.id === stepId) as AutomatedStep | undefined)?.approvalRoles;
  const setPhaseAttributes = () =>
    upsertSearchAttributes([
      { key: SA_PHASE, value: s.phase },
      { key: SA_SEVERITY, value: s.severity },
    ]);
  const now = () => Date.now();

  setHandler(incidentStateQuery, () => s);

  setHandler(triggerSignal, (trigger) => {
    s.triggerCount++;
    if (s.triggerCount === 1) return;
    // A signal has no validator: whatever a repeat carries is bounded and made storable before it is kept.
    audit.countRepeat({
      ...trigger,
      by: storableText('actor', trigger.by) ?? 'unknown',
      summary: storableText('summary', trigger.summary),
    });
  });

  setHandler(deliveryFailedSignal, (failure) => {
    void audit.record(
      'delivery-failed',
      undefined,
      { ...failure },
      `${failure.channel} to ${failure.recipients.join(', ')}: ${failure.error}`,
    );
  });

  setHandler(
    acknowledgeUpdate,
    async ({ actor, note, rosterVersion }) => {
      s.phase = 'acknowledged';
      s.acknowledgedBy = actor;
      s.acknowledgedAt = iso(now());
      s.escalation.nextEscalationAt = undefined;
      deadline.rearm();
      setPhaseAttributes();
      await recordAnswer('acknowledged', actor, { note, level: s.escalation.level, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, note, roles, rosterVersion }) => {
        requireActor({ actor, roles, rosterVersion });
        requireText('note', note, true);
        requireOpen();
        if (s.acknowledgedBy) throw ApplicationFailure.nonRetryable(`already acknowledged by ${s.acknowledgedBy}`, 'AlreadyAcknowledged');
      },
    },
  );

  /** Closes the incident: a person's resolve, or a monitoring tool's "resolved" when its type's policy allows it. */
  const resolve = async (actor: string, summary: string, data: Record<string, unknown>) => {
    s.phase = 'resolved';
    s.resolvedBy = actor;
    s.resolvedAt = iso(now());
    s.resolution = summary;
    if (!s.acknowledgedBy) {
      // Resolving implies the incident was seen: count it as acknowledged for MTTA.
      s.acknowledgedBy = actor;
      s.acknowledgedAt = s.resolvedAt;
    }
    deadline.rearm();
    setPhaseAttributes();
    await recordAnswer('resolved', actor, { summary, ...data });
    return s;
  };

  // A signal (no validator): an alert's end is information, never refused; one meant for an earlier incident on this
  // key, or arriving after the incident closed, changes nothing. It adds no command to any other path.
  // Alert keys whose end this run already recorded: a tool that says "resolved" again tells nobody twice.
  const endsRecorded = new Set<string>();
  setHandler(alertResolvedSignal, async (r) => {
    if (isResolved(s) || r.firstRunId !== workflowInfo().firstExecutionRunId || endsRecorded.has(r.dedupKey)) return;
    endsRecorded.add(r.dedupKey);
    const by = storableText('actor', r.by) ?? 'unknown';
    const summary = storableText('summary', r.summary);
    const close = r.policy === 'resolve' && !someoneActed();
    const data = {
      policy: r.policy,
      outcome: close ? 'closed' : 'recorded',
      dedupKey: storableText('summary', r.dedupKey),
      summary,
      endedAt: r.endedAt,
    };
    if (close) {
      void audit.record('alert-resolved', by, data, 'the alert resolved and nobody had acted: closed');
      await resolve(by, `the alert resolved at its source (${by}) before anyone acted${summary ? `: ${summary}` : ''}`, {
        alertResolved: true,
      });
      return;
    }
    const why = r.policy === 'record' ? `a person closes a ${plan.type.name} incident` : 'people have acted on it';
    const recorded = audit.record('alert-resolved', by, data, `the alert resolved; kept open: ${why}`);
    const rungs = plan.ladder.slice(0, s.escalation.level + 1);
    await audit.send(
      'alert-resolved',
      rungs.flatMap((rung) => rung.contacts),
      `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — the alert resolved at its source (${by}); the incident stays open (${why}). Resolve it when done (${s.incidentId})`,
      rungs.flatMap((rung) => rung.roles),
    );
    await recorded;
  });

  /** Whether a person (not the alert's source) has done anything on the incident yet. */
  const someoneActed = () =>
    (s.acknowledgedBy !== undefined && !s.acknowledgedBy.startsWith('integration:')) ||
    s.notes.length > 0 ||
    s.steps.some((step) => step.by !== undefined);

  setHandler(resolveUpdate, async ({ actor, summary, rosterVersion }) => resolve(actor, summary, rosterOf(rosterVersion)), {
    validator: ({ actor, summary, roles, rosterVersion }) => {
      requireActor({ actor, roles, rosterVersion });
      requireOpen();
      if (typeof summary !== 'string' || !summary.trim())
        throw ApplicationFailure.nonRetryable('a resolution summary is required', 'MissingSummary');
      requireText('summary', summary);
    },
  });

  setHandler(
    changeSeverityUpdate,
    async ({ actor, severity, reason, rosterVersion }) => {
      const from = s.severity;
      s.severity = severity;
      if (!s.acknowledgedBy) {
        // Re-arm the clocks from now with the new severity's times.
        const severityDef = plan.severities[s.severity];
        const due = responseDueAt(now(), plan.type, severityDef);
        s.escalation.responseDueAt = iso(due);
        s.escalation.responseMissed = false;
        s.escalation.nextEscalationAt = iso(escalationAt(due, severityDef, plan.calendar));
      }
      deadline.rearm();
      setPhaseAttributes();
      await recordAnswer('severity-changed', actor, { from, to: severity, reason, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, severity, reason, roles, rosterVersion }) => {
        requireActor({ actor, roles, rosterVersion });
        requireText('reason', reason, true);
        requireOpen();
        if (!(severity in plan.severities)) {
          throw ApplicationFailure.nonRetryable(
            `unknown severity '${severity}'; accepted: ${Object.keys(plan.severities).join(', ')}`,
            'UnknownSeverity',
          );
        }
        if (severity === s.severity) throw ApplicationFailure.nonRetryable(`severity is already ${severity}`, 'NoChange');
      },
    },
  );

  setHandler(
    addNoteUpdate,
    async ({ actor, text, rosterVersion }) => {
      s.notes.push({ at: iso(now()), actor, text });
      // The state keeps the latest notes (it is carried across continue-as-new); the audit store keeps them all.
      if (s.notes.length > NOTES_KEPT) s.notes.splice(0, s.notes.length - NOTES_KEPT);
      await recordAnswer('note', actor, { text, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, text, roles, rosterVersion }) => {
        requireActor({ actor, roles, rosterVersion });
        requireOpen();
        if (typeof text !== 'string' || !text.trim()) throw ApplicationFailure.nonRetryable('a note needs text', 'EmptyNote');
        requireText('note', text);
      },
    },
  );

  // The step Updates below re-arm the ladder too: they never move its clocks, but incidents already in flight
  // were woken here (a cancelled timer, a new one), and their replay needs the same wake-ups.
  setHandler(
    completeStepUpdate,
    async ({ actor, stepId, outcome, note, evidence, rosterVersion }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'completed', outcome, note, evidence: evidence ?? {}, by: actor, finishedAt: iso(now()) });
      deadline.rearm();
      await recordAnswer('step-completed', actor, { stepId, outcome, note, evidence, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, stepId, outcome, note, evidence, roles, rosterVersion }) => {
        requireActor({ actor, roles, rosterVersion });
        requireStepId(stepId);
        requireText('note', note, true);
        requireEvidence(evidence);
        requireOpen();
        findStep(stepId, 'awaiting-completion');
        requireOneOf('outcome', outcome, OUTCOMES, 'BadOutcome');
      },
    },
  );

  setHandler(
    approveStepUpdate,
    async ({ actor, stepId, note, rosterVersion }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'running', by: actor, note });
      deadline.rearm();
      await recordAnswer('step-approved', actor, { stepId, note, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, stepId, note, roles, rosterVersion }) => {
        requireStepId(stepId);
        requireText('note', note, true);
        requireActor({ actor, roles, rosterVersion }, approvalRolesOf(stepId), `approve or reject step '${stepId}'`);
        requireOpen();
        findStep(stepId, 'awaiting-approval');
      },
    },
  );

  setHandler(
    rejectStepUpdate,
    async ({ actor, stepId, reason, rosterVersion }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'rejected', by: actor, note: reason, finishedAt: iso(now()) });
      deadline.rearm();
      await recordAnswer('step-rejected', actor, { stepId, reason, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, stepId, reason, roles, rosterVersion }) => {
        requireStepId(stepId);
        requireActor({ actor, roles, rosterVersion }, approvalRolesOf(stepId), `approve or reject step '${stepId}'`);
        requireOpen();
        findStep(stepId, 'awaiting-approval');
        if (typeof reason !== 'string' || !reason.trim())
          throw ApplicationFailure.nonRetryable('a rejection needs a reason', 'MissingReason');
        requireText('reason', reason);
      },
    },
  );

  setHandler(
    decideStepUpdate,
    async ({ actor, stepId, decision, note, rosterVersion }) => {
      Object.assign(findStep(stepId), { decision, by: actor });
      deadline.rearm();
      await recordAnswer('step-decided', actor, { stepId, decision, note, ...rosterOf(rosterVersion) });
      return s;
    },
    {
      validator: ({ actor, stepId, decision, note, roles, rosterVersion }) => {
        requireActor({ actor, roles, rosterVersion });
        requireStepId(stepId);
        requireText('note', note, true);
        requireOpen();
        findStep(stepId, 'awaiting-decision');
        requireOneOf('decision', decision, STEP_DECISIONS, 'BadDecision');
      },
    },
  );
}
