import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Action } from '../../runbooks/actionPolicy';
import { isLowerSeverity } from '../../runbooks/severities';
import { OUTCOMES, STEP_DECISIONS, type ClassifiedTypeId } from '../../runbooks/types';
import { requireOneOf } from '../shared/authorisation';
import { requireEvidence, requireText, storableText } from '../shared/inputChecks';
import { formatDuration } from '../../runbooks/duration';
import { armAckTimer } from './ackTimeout';
import { isResolved, type IncidentContext } from './context';
import { clearedInHold, takeReopen } from './flapping';
import { breakSnoozeOnWorseTrigger, endSnooze, startSnooze } from './snooze';
import { classify, lowerOrRaiseSeverity, setPhaseAttributes } from './incidentChanges';
import { policyFactsOf, requireAllowed } from './incidentPolicy';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertResolvedSignal,
  approveStepUpdate,
  changeSeverityUpdate,
  classifyUpdate,
  completeStepUpdate,
  decideStepUpdate,
  deliveryFailedSignal,
  incidentPolicyQuery,
  incidentStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  snoozeUpdate,
  triggerSignal,
  unsnoozeUpdate,
  type ActorRequest,
  type IncidentState,
  type StepState,
} from './messages';
import { iso } from '../shared/time';

const NOTES_KEPT = 50;

/**
 * One row of the incident's actions: which policy action a request is, what its input must be and what state it
 * needs (the validator: a refusal leaves no event in history), and what it changes (the handler).
 */
interface ActionRow<A extends ActorRequest> {
  action: (args: A) => Action;
  /** Checks of the input alone, before the policy (a bad request is a 400 whoever sends it). */
  check?: (args: A) => void;
  /** Checks of the incident's state, after the policy (a person not entitled hears that first, whatever the phase). */
  when?: (args: A) => void;
  /** The text the policy calls the reason (recorded, and told to those paged). */
  reason?: (args: A) => string | undefined;
  stepId?: (args: A) => string;
  apply: (args: A) => Promise<void>;
}

/**
 * The incident's query, signals and Updates. Every Update is a row: its validator checks the input, that the incident
 * is open, and the action policy (workflows/incident/incidentPolicy.ts); its handler changes the state, re-arms the
 * ladder where its clocks may have moved, and records the transition.
 */
export function registerIncidentHandlers(ctx: IncidentContext): void {
  const { plan, s, audit, deadline, version } = ctx;
  // A storm-ready run answers a person once the change is made and its audit event is in the chain: the event is
  // written behind the incident's earlier ones, in order and retried until it lands, and after a burst of alerts
  // those wait behind thousands of others (acknowledging the last of 2,000 incidents took 193 s when it waited).
  const recordAnswer = async (...event: Parameters<typeof audit.record>): Promise<void> => {
    const written = audit.record(...event);
    if (!version.stormReady) await written;
  };
  // Which roster decided: recorded with each decision when the API sent the one in force.
  const rosterOf = (rosterVersion?: string) => (rosterVersion ? { rosterVersion } : {});
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
  const requiredText = (field: 'summary' | 'note' | 'reason', value: unknown, missing: string, type: string) => {
    if (typeof value !== 'string' || !value.trim()) throw ApplicationFailure.nonRetryable(missing, type);
    requireText(field, value);
  };
  const now = () => Date.now();

  /** Registers one action row as an Update with its validator. */
  const row = <A extends ActorRequest>(update: UpdateDefinition<IncidentState, [A]>, r: ActionRow<A>) =>
    setHandler(
      update,
      async (args: A) => {
        await r.apply(args);
        // Any person's Update is an update of the incident: the acknowledgement timer starts again (ackTimeout.ts).
        if (version.alertLifecycle) armAckTimer(ctx);
        return s;
      },
      {
        validator: (args: A) => {
          requireText('actor', args.actor);
          const stepId = r.stepId?.(args);
          if (stepId !== undefined) {
            requireText('stepId', stepId);
            findStep(stepId);
          }
          r.check?.(args);
          requireAllowed(ctx, r.action(args), args, { stepId, reason: r.reason?.(args) });
          requireOpen();
          r.when?.(args);
        },
      },
    );

  setHandler(incidentStateQuery, () => s);
  // A query answers without an event in history: runs recorded before it replay unchanged.
  setHandler(incidentPolicyQuery, () => policyFactsOf(ctx.plan));

  setHandler(triggerSignal, (trigger) => {
    s.triggerCount++;
    if (s.triggerCount === 1) return;
    if (version.alertLifecycle) {
      // Fired again after its clearing closed the incident, inside the reopen window: reopened, not a repeat.
      if (takeReopen(ctx, trigger)) return;
      breakSnoozeOnWorseTrigger(ctx, trigger.severity, storableText('actor', trigger.by) ?? 'unknown');
    }
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

  row(acknowledgeUpdate, {
    action: () => 'acknowledge',
    check: ({ note }) => requireText('note', note, true),
    when: () => {
      if (s.acknowledgedBy) throw ApplicationFailure.nonRetryable(`already acknowledged by ${s.acknowledgedBy}`, 'AlreadyAcknowledged');
    },
    apply: async ({ actor, note, rosterVersion }) => {
      const at = now();
      if (version.actionPolicy && !s.escalation.responseMissed && at > Date.parse(s.escalation.responseDueAt)) {
        // Acknowledged after the deadline, before the ladder's timer said so: still a breach, to the millisecond.
        s.escalation.responseMissed = true;
        void audit.record('response-sla-missed', undefined, {
          severity: s.severity,
          dueAt: s.escalation.responseDueAt,
          acknowledgedAt: iso(at),
          lateByMs: at - Date.parse(s.escalation.responseDueAt),
        });
      }
      s.phase = 'acknowledged';
      s.acknowledgedBy = actor;
      s.acknowledgedAt = iso(at);
      s.escalation.nextEscalationAt = undefined;
      deadline.rearm();
      setPhaseAttributes(s);
      const level = version.actionPolicy ? s.escalation.level + 1 : s.escalation.level;
      await recordAnswer('acknowledged', actor, { note, level, ...rosterOf(rosterVersion) });
    },
  });

  /** Closes the incident: a person's resolve, or a monitoring tool's "resolved" when its type's policy allows it. */
  const resolve = async (actor: string, summary: string, data: Record<string, unknown>) => {
    s.phase = 'resolved';
    s.resolvedBy = actor;
    s.resolvedAt = iso(now());
    s.resolution = summary;
    if (!version.actionPolicy && !s.acknowledgedBy) {
      // Older runs counted resolving as acknowledging; MTTA now counts acknowledgements only.
      s.acknowledgedBy = actor;
      s.acknowledgedAt = s.resolvedAt;
    }
    deadline.rearm();
    setPhaseAttributes(s);
    await recordAnswer('resolved', actor, { summary, ...data });
  };

  // A signal (no validator): an alert's end is information, never refused; one meant for an earlier incident on this
  // key, or arriving after the incident closed, changes nothing. It adds no command to any other path.
  // Alert keys whose end this run already recorded: a tool that says "resolved" again tells nobody twice.
  const endsRecorded = ctx.lifecycle.endsRecorded;
  setHandler(alertResolvedSignal, async (r) => {
    if (isResolved(s) || r.firstRunId !== workflowInfo().firstExecutionRunId || endsRecorded.has(r.dedupKey)) return;
    endsRecorded.add(r.dedupKey);
    const by = storableText('actor', r.by) ?? 'unknown';
    const summary = storableText('summary', r.summary);
    if (version.alertLifecycle && s.hold && !someoneActed()) {
      // Cleared within its hold: nobody was paged, and nobody will be; the flap is recorded, then closed.
      const flap = clearedInHold(ctx, r);
      void audit.record(
        'flap-suppressed',
        by,
        flap,
        `the alert cleared after ${formatDuration(Number(flap.heldMs))}, within its hold of ${formatDuration(Number(flap.holdForSeconds) * 1000)}: nobody paged`,
      );
      await resolve(by, `the alert cleared within its hold (${by}): a flap, nobody paged`, { flapSuppressed: true });
      return;
    }
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
      // The alert may fire again within the reopen window: that reopens this incident (flapping.ts).
      if (version.alertLifecycle) s.closedByAlert = true;
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

  row(resolveUpdate, {
    action: () => 'resolve',
    check: ({ summary }) => requiredText('summary', summary, 'a resolution summary is required', 'MissingSummary'),
    apply: ({ actor, summary, rosterVersion }) => resolve(actor, summary, rosterOf(rosterVersion)),
  });

  row(changeSeverityUpdate, {
    action: ({ severity }) => (isLowerSeverity(s.severity, severity) ? 'lower-severity' : 'raise-severity'),
    reason: ({ reason }) => reason,
    check: ({ severity, reason }) => {
      requireText('reason', reason, true);
      if (!(severity in plan.severities)) {
        throw ApplicationFailure.nonRetryable(
          `unknown severity '${severity}'; accepted: ${Object.keys(plan.severities).join(', ')}`,
          'UnknownSeverity',
        );
      }
    },
    when: ({ severity }) => {
      if (severity === s.severity) throw ApplicationFailure.nonRetryable(`severity is already ${severity}`, 'NoChange');
    },
    apply: async ({ actor, severity, reason, rosterVersion }) => {
      const from = s.severity;
      lowerOrRaiseSeverity(ctx, severity, actor, reason);
      await recordAnswer('severity-changed', actor, { from, to: severity, reason, ...rosterOf(rosterVersion) });
    },
  });

  row(addNoteUpdate, {
    action: () => 'note',
    check: ({ text }) => requiredText('note', text, 'a note needs text', 'EmptyNote'),
    apply: async ({ actor, text, rosterVersion }) => {
      s.notes.push({ at: iso(now()), actor, text });
      // The state keeps the latest notes (it is carried across continue-as-new); the audit store keeps them all.
      if (s.notes.length > NOTES_KEPT) s.notes.splice(0, s.notes.length - NOTES_KEPT);
      await recordAnswer('note', actor, { text, ...rosterOf(rosterVersion) });
    },
  });

  // The step Updates below re-arm the ladder too: they never move its clocks, but incidents already in flight
  // were woken here (a cancelled timer, a new one), and their replay needs the same wake-ups.
  row(completeStepUpdate, {
    action: () => 'complete-step',
    stepId: ({ stepId }) => stepId,
    check: ({ outcome, note, evidence }) => {
      requireText('note', note, true);
      requireEvidence(evidence);
      requireOneOf('outcome', outcome, OUTCOMES, 'BadOutcome');
    },
    when: ({ stepId }) => {
      if (findStep(stepId).kind === 'classify')
        throw ApplicationFailure.nonRetryable(
          `step '${stepId}' is done by classifying the incident (dbops incident classify)`,
          'StepNotWaiting',
        );
      findStep(stepId, 'awaiting-completion');
    },
    apply: async ({ actor, stepId, outcome, note, evidence, rosterVersion }) => {
      Object.assign(findStep(stepId), { status: 'completed', outcome, note, evidence: evidence ?? {}, by: actor, finishedAt: iso(now()) });
      deadline.rearm();
      await recordAnswer('step-completed', actor, { stepId, outcome, note, evidence, ...rosterOf(rosterVersion) });
    },
  });

  row(approveStepUpdate, {
    action: () => 'approve-step',
    stepId: ({ stepId }) => stepId,
    check: ({ note }) => requireText('note', note, true),
    when: ({ stepId }) => findStep(stepId, 'awaiting-approval'),
    apply: async ({ actor, stepId, note, rosterVersion }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'running', by: actor, note });
      deadline.rearm();
      const attempt = version.actionPolicy ? { attempt: step.attempts + 1 } : {};
      await recordAnswer('step-approved', actor, { stepId, note, ...attempt, ...rosterOf(rosterVersion) });
    },
  });

  row(rejectStepUpdate, {
    action: () => 'reject-step',
    stepId: ({ stepId }) => stepId,
    reason: ({ reason }) => reason,
    check: ({ reason }) => requiredText('reason', reason, 'a rejection needs a reason', 'MissingReason'),
    when: ({ stepId }) => findStep(stepId, 'awaiting-approval'),
    apply: async ({ actor, stepId, reason, rosterVersion }) => {
      Object.assign(findStep(stepId), { status: 'rejected', by: actor, note: reason, finishedAt: iso(now()) });
      deadline.rearm();
      await recordAnswer('step-rejected', actor, { stepId, reason, ...rosterOf(rosterVersion) });
    },
  });

  const DECISION_ACTIONS = { retry: 'retry-step', skip: 'skip-step', abort: 'abort-steps' } as const;
  row(decideStepUpdate, {
    action: ({ decision }) => DECISION_ACTIONS[decision],
    stepId: ({ stepId }) => stepId,
    reason: ({ note }) => note,
    check: ({ decision, note }) => {
      requireText('note', note, true);
      requireOneOf('decision', decision, STEP_DECISIONS, 'BadDecision');
    },
    when: ({ stepId }) => findStep(stepId, 'awaiting-decision'),
    apply: async ({ actor, stepId, decision, note, rosterVersion }) => {
      Object.assign(findStep(stepId), { decision, by: actor });
      deadline.rearm();
      await recordAnswer('step-decided', actor, { stepId, decision, note, ...rosterOf(rosterVersion) });
    },
  });

  row(snoozeUpdate, {
    action: () => 'snooze',
    reason: ({ reason }) => reason,
    check: ({ forMs, reason }) => {
      if (!version.alertLifecycle || !plan.lifecycle)
        throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} was opened before snooze existed`, 'NoChange');
      requireText('reason', reason, true);
      const max = plan.lifecycle.severities[s.severity].snoozeMaxMinutes * 60_000;
      if (typeof forMs !== 'number' || !Number.isInteger(forMs) || forMs < 1000 || forMs > max)
        throw ApplicationFailure.nonRetryable(
          `a snooze of a ${s.severity} incident lasts from 1s to ${formatDuration(max)} (its severity's snoozeMaxMinutes)`,
          'BadDuration',
        );
    },
    when: () => {
      if (s.hold) throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} has not paged yet (its alert is held)`, 'NoChange');
      if (s.snooze)
        throw ApplicationFailure.nonRetryable(
          `incident ${s.incidentId} is already snoozed until ${s.snooze.until} by ${s.snooze.by}; unsnooze it first`,
          'NoChange',
        );
    },
    apply: async ({ actor, forMs, reason, rosterVersion }) => {
      startSnooze(ctx, actor, forMs, reason, rosterOf(rosterVersion));
    },
  });

  row(unsnoozeUpdate, {
    action: () => 'unsnooze',
    check: ({ note }) => requireText('note', note, true),
    when: () => {
      if (!s.snooze) throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} is not snoozed`, 'NoChange');
    },
    apply: async ({ actor, note, rosterVersion }) => {
      endSnooze(ctx, 'ended', now(), actor, { note, ...rosterOf(rosterVersion) });
    },
  });

  row(classifyUpdate, {
    action: () => 'classify',
    check: ({ type, note }) => {
      requireText('note', note, true);
      if (!plan.classifyInto)
        throw ApplicationFailure.nonRetryable(
          `incident ${s.incidentId} is a ${plan.type.name}: only an unclassified incident is classified`,
          'NoChange',
        );
      requireOneOf('type', type, Object.keys(plan.classifyInto), 'BadType');
    },
    when: () => {
      const step = findStep('classify');
      if (step.status !== 'pending' && step.status !== 'awaiting-completion')
        throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} is already classified`, 'StepNotWaiting');
    },
    apply: async ({ actor, type, note, rosterVersion }) => {
      const from = s.type;
      classify(ctx, type as ClassifiedTypeId, actor, note);
      deadline.rearm();
      await recordAnswer('classified', actor, { from, to: type, note, ...rosterOf(rosterVersion) });
    },
  });
}
