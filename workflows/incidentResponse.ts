import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DbopsActivities } from '../activities';
import type { IncidentSnapshot, StepResult } from '../activities/types';
import { escalationAt, nextRungDueAt, responseDueAt } from '../runbooks/escalation';
import type { Contact } from '../runbooks/plan';
import type { AutomatedStep, ManualStep, Role } from '../runbooks/types';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  approveStepUpdate,
  changeSeverityUpdate,
  completeStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  triggerSignal,
  type IncidentState,
  type IncidentTrigger,
  type OpenIncidentInput,
  type StepState,
} from './incidentDefinitions';
import { SA_KIND, SA_PHASE, SA_SEVERITY, SA_TIER, SA_TYPE } from './searchAttributes';
import { settle } from './settle';

const MINUTE = 60_000;
const TIMELINE_KEPT = 200;

/** Audit and notification writes: short, retried until they succeed (they are idempotent). */
const { recordIncidentEvent, notify } = proxyActivities<DbopsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One incident, from trigger to resolution, interpreting the plan frozen into its input: pages the escalation
 * ladder until someone acknowledges, runs the runbook's steps in order, and records every transition.
 */
export async function incidentResponse(input: OpenIncidentInput): Promise<IncidentState> {
  const { plan } = input;
  const s: IncidentState = input.carried ?? initialState(input);
  let stateChanged = 0; // bumped whenever a handler changes what the ladder waits on
  let activitiesInFlight = 0;
  let auditChain: Promise<void> = Promise.resolve();

  const now = () => Date.now();
  const severityDef = () => plan.severities[s.severity];
  const isResolved = () => s.phase === 'resolved';

  // ---- audit and notifications -------------------------------------------------------------------------------
  const snapshot = (): IncidentSnapshot => ({
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
    acknowledgedAt: s.acknowledgedAt,
    acknowledgedBy: s.acknowledgedBy,
    resolvedAt: s.resolvedAt,
    resolution: s.resolution,
    triggerCount: s.triggerCount,
    escalationLevel: s.escalation.level,
  });

  // An alert storm must not become a storm of audit writes: repeats are counted at once and written as one
  // 'retriggered' event per burst, always ahead of the next event the incident records.
  let repeatsUnrecorded = 0;
  let lastRepeat: IncidentTrigger | undefined;

  /** Appends to the timeline and writes the audit event; writes are chained so the hash chain stays in order. */
  function record(kind: string, actor: string | undefined, data: Record<string, unknown> = {}, detail?: string): Promise<void> {
    void flushRepeats();
    return append(kind, actor, data, detail);
  }

  function flushRepeats(): Promise<void> {
    if (!repeatsUnrecorded) return auditChain;
    const repeats = repeatsUnrecorded;
    repeatsUnrecorded = 0;
    return append('retriggered', lastRepeat!.by, { source: lastRepeat!.source, summary: lastRepeat!.summary, repeats, count: s.triggerCount });
  }

  function append(kind: string, actor: string | undefined, data: Record<string, unknown>, detail?: string): Promise<void> {
    const at = iso(now());
    s.timeline.push({ at, kind, actor, detail });
    if (s.timeline.length > TIMELINE_KEPT) s.timeline.splice(0, s.timeline.length - TIMELINE_KEPT);
    const event = { subjectId: s.incidentId, seq: ++s.auditSeq, kind, actor, occurredAt: at, data };
    const snap = snapshot();
    auditChain = auditChain.then(() => tracked(() => recordIncidentEvent(event, snap)));
    return auditChain;
  }

  async function tracked<T>(fn: () => Promise<T>): Promise<T> {
    activitiesInFlight++;
    try {
      return await fn();
    } finally {
      activitiesInFlight--;
    }
  }

  function send(kind: Parameters<typeof notify>[0]['kind'], recipients: Contact[], message: string): Promise<unknown> {
    const notificationId = `${s.incidentId}:${kind}:${s.auditSeq}:${recipients.map((r) => r.id).join(',')}`;
    return tracked(() => notify({ notificationId, subjectId: s.incidentId, kind, message, recipients, occurredAt: iso(now()) }));
  }

  const contactsFor = (roles: Role[]): Contact[] => plan.ladder.flatMap((r) => r.contacts).filter((c, i, all) => roles.includes(c.role) && all.findIndex((x) => x.id === c.id) === i);
  const currentResponders = (): Contact[] => plan.ladder.slice(0, s.escalation.level + 1).flatMap((r) => r.contacts);

  function setPhaseAttributes() {
    upsertSearchAttributes([
      { key: SA_PHASE, value: s.phase },
      { key: SA_SEVERITY, value: s.severity },
    ]);
  }

  // ---- validation shared by Updates ---------------------------------------------------------------------------
  function requireResponder(actor: string, roles?: Role[]) {
    const responder = plan.responders.find((r) => r.id === actor);
    if (!responder) throw ApplicationFailure.nonRetryable(`unknown actor '${actor}': not on the roster`, 'UnknownActor');
    if (roles && !responder.roles.some((r) => roles.includes(r))) {
      throw ApplicationFailure.nonRetryable(`'${actor}' may not do this: it takes one of the roles ${roles.join(', ')}`, 'NotEntitled');
    }
  }
  function requireOpen() {
    if (isResolved()) throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} is already resolved`, 'AlreadyResolved');
  }
  function findStep(stepId: string, status?: StepState['status']): StepState {
    const step = s.steps.find((x) => x.id === stepId);
    if (!step) throw ApplicationFailure.nonRetryable(`unknown step '${stepId}'; steps are: ${s.steps.map((x) => x.id).join(', ')}`, 'UnknownStep');
    if (status && step.status !== status) {
      throw ApplicationFailure.nonRetryable(`step '${stepId}' is ${step.status}, not ${status}`, 'StepNotWaiting');
    }
    return step;
  }

  // ---- handlers -------------------------------------------------------------------------------------------------
  setHandler(incidentStateQuery, () => s);

  setHandler(triggerSignal, (trigger) => {
    s.triggerCount++;
    if (s.triggerCount === 1) return;
    lastRepeat = trigger;
    // The first repeat of a burst schedules a write once the pending ones land; later ones join it.
    if (++repeatsUnrecorded === 1) void auditChain.then(flushRepeats);
  });

  setHandler(
    acknowledgeUpdate,
    async ({ actor, note }) => {
      s.phase = 'acknowledged';
      s.acknowledgedBy = actor;
      s.acknowledgedAt = iso(now());
      s.escalation.nextEscalationAt = undefined;
      stateChanged++;
      setPhaseAttributes();
      await record('acknowledged', actor, { note, level: s.escalation.level });
      return s;
    },
    {
      validator: ({ actor }) => {
        requireResponder(actor);
        requireOpen();
        if (s.acknowledgedBy) throw ApplicationFailure.nonRetryable(`already acknowledged by ${s.acknowledgedBy}`, 'AlreadyAcknowledged');
      },
    },
  );

  setHandler(
    resolveUpdate,
    async ({ actor, summary }) => {
      s.phase = 'resolved';
      s.resolvedBy = actor;
      s.resolvedAt = iso(now());
      s.resolution = summary;
      if (!s.acknowledgedBy) {
        // Resolving implies the incident was seen: count it as acknowledged for MTTA.
        s.acknowledgedBy = actor;
        s.acknowledgedAt = s.resolvedAt;
      }
      stateChanged++;
      setPhaseAttributes();
      await record('resolved', actor, { summary });
      return s;
    },
    {
      validator: ({ actor, summary }) => {
        requireResponder(actor);
        requireOpen();
        if (!summary?.trim()) throw ApplicationFailure.nonRetryable('a resolution summary is required', 'MissingSummary');
      },
    },
  );

  setHandler(
    changeSeverityUpdate,
    async ({ actor, severity, reason }) => {
      const from = s.severity;
      s.severity = severity;
      if (!s.acknowledgedBy) {
        // Re-arm the clocks from now with the new severity's times.
        const due = responseDueAt(now(), plan.type, severityDef());
        s.escalation.responseDueAt = iso(due);
        s.escalation.responseMissed = false;
        s.escalation.nextEscalationAt = iso(escalationAt(due, severityDef(), plan.calendar));
      }
      stateChanged++;
      setPhaseAttributes();
      await record('severity-changed', actor, { from, to: severity, reason });
      return s;
    },
    {
      validator: ({ actor, severity }) => {
        requireResponder(actor);
        requireOpen();
        if (!(severity in plan.severities)) {
          throw ApplicationFailure.nonRetryable(`unknown severity '${severity}'; accepted: ${Object.keys(plan.severities).join(', ')}`, 'UnknownSeverity');
        }
        if (severity === s.severity) throw ApplicationFailure.nonRetryable(`severity is already ${severity}`, 'NoChange');
      },
    },
  );

  setHandler(
    addNoteUpdate,
    async ({ actor, text }) => {
      s.notes.push({ at: iso(now()), actor, text });
      await record('note', actor, { text });
      return s;
    },
    {
      validator: ({ actor, text }) => {
        requireResponder(actor);
        requireOpen();
        if (!text?.trim()) throw ApplicationFailure.nonRetryable('a note needs text', 'EmptyNote');
      },
    },
  );

  setHandler(
    completeStepUpdate,
    async ({ actor, stepId, outcome, note, evidence }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'completed', outcome, note, evidence: evidence ?? {}, by: actor, finishedAt: iso(now()) });
      stateChanged++;
      await record('step-completed', actor, { stepId, outcome, note, evidence });
      return s;
    },
    {
      validator: ({ actor, stepId, outcome }) => {
        requireResponder(actor);
        requireOpen();
        findStep(stepId, 'awaiting-completion');
        if (!['pass', 'warn', 'fail'].includes(outcome)) throw ApplicationFailure.nonRetryable(`outcome must be pass, warn or fail, not '${outcome}'`, 'BadOutcome');
      },
    },
  );

  const approvalRolesOf = (stepId: string) => (plan.type.steps.find((x) => x.id === stepId) as AutomatedStep | undefined)?.approvalRoles;

  setHandler(
    approveStepUpdate,
    async ({ actor, stepId, note }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'running', by: actor, note });
      stateChanged++;
      await record('step-approved', actor, { stepId, note });
      return s;
    },
    {
      validator: ({ actor, stepId }) => {
        requireResponder(actor, approvalRolesOf(stepId));
        requireOpen();
        findStep(stepId, 'awaiting-approval');
      },
    },
  );

  setHandler(
    rejectStepUpdate,
    async ({ actor, stepId, reason }) => {
      const step = findStep(stepId);
      Object.assign(step, { status: 'rejected', by: actor, note: reason, finishedAt: iso(now()) });
      stateChanged++;
      await record('step-rejected', actor, { stepId, reason });
      return s;
    },
    {
      validator: ({ actor, stepId, reason }) => {
        requireResponder(actor, approvalRolesOf(stepId));
        requireOpen();
        findStep(stepId, 'awaiting-approval');
        if (!reason?.trim()) throw ApplicationFailure.nonRetryable('a rejection needs a reason', 'MissingReason');
      },
    },
  );

  setHandler(
    decideStepUpdate,
    async ({ actor, stepId, decision, note }) => {
      Object.assign(findStep(stepId), { decision, by: actor });
      stateChanged++;
      await record('step-decided', actor, { stepId, decision, note });
      return s;
    },
    {
      validator: ({ actor, stepId, decision }) => {
        requireResponder(actor);
        requireOpen();
        findStep(stepId, 'awaiting-decision');
        if (!['retry', 'skip', 'abort'].includes(decision)) {
          throw ApplicationFailure.nonRetryable(`decision must be retry, skip or abort, not '${decision}'`, 'BadDecision');
        }
      },
    },
  );

  // ---- the escalation ladder ------------------------------------------------------------------------------------
  async function page(level: number, reason: 'opened' | 'escalated' | 'repeated') {
    if (isResolved()) return; // resolved while the opening was still being written: nobody needs waking
    const rung = plan.ladder[level];
    s.escalation.level = Math.max(s.escalation.level, level);
    s.escalation.pages++;
    const kind = reason === 'opened' ? 'paged' : 'escalated';
    await record(kind, undefined, { level, roles: rung.roles, contacts: rung.contacts.map((c) => c.id), reason });
    await send(
      reason === 'opened' ? 'page' : 'escalation',
      rung.contacts,
      `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — ${reason === 'opened' ? 'please acknowledge' : `unacknowledged, escalated to level ${level}`} (${s.incidentId})`,
    );
  }

  async function runLadder() {
    while (!s.acknowledgedBy && !isResolved()) {
      const seen = stateChanged;
      const dueMs = Date.parse(s.escalation.responseDueAt);
      const nextMs = s.escalation.nextEscalationAt ? Date.parse(s.escalation.nextEscalationAt) : dueMs;
      const wakeAt = s.escalation.responseMissed ? nextMs : Math.min(dueMs, nextMs);
      const changed = await condition(() => stateChanged !== seen || !!s.acknowledgedBy || isResolved(), Math.max(wakeAt - now(), 1));
      if (changed) continue;
      if (!s.escalation.responseMissed && now() >= dueMs) {
        s.escalation.responseMissed = true;
        await record('response-sla-missed', undefined, { severity: s.severity, dueAt: s.escalation.responseDueAt });
      }
      if (now() >= nextMs) {
        const top = plan.ladder.length - 1;
        const level = Math.min(s.escalation.level + 1, top);
        const reason = s.escalation.level === top ? 'repeated' : 'escalated';
        // Set before paging: an acknowledgement that arrives while the page is sent clears it for good.
        s.escalation.nextEscalationAt = iso(nextRungDueAt(now(), plan.type, severityDef(), plan.calendar));
        await page(level, reason);
      }
    }
  }

  // ---- the runbook's steps ----------------------------------------------------------------------------------
  async function runManualStep(def: ManualStep, step: StepState) {
    if (step.status === 'pending') {
      step.status = 'awaiting-completion';
      step.startedAt = iso(now());
      step.dueAt = iso(now() + def.dueMinutes * MINUTE);
      await record('step-waiting', undefined, { stepId: def.id, dueAt: step.dueAt });
    }
    let overdueRecorded = now() > Date.parse(step.dueAt!);
    while (step.status === 'awaiting-completion' && !isResolved()) {
      const done = await condition(() => step.status !== 'awaiting-completion' || isResolved(), def.reminderMinutes * MINUTE);
      if (done) break;
      const overdue = now() >= Date.parse(step.dueAt!);
      if (overdue && !overdueRecorded) {
        overdueRecorded = true;
        await record('step-overdue', undefined, { stepId: def.id, dueAt: step.dueAt });
      }
      await record('step-reminder', undefined, { stepId: def.id, overdue });
      await send('reminder', currentResponders(), `${overdue ? 'OVERDUE' : 'Reminder'}: step '${def.title}' of ${s.incidentId} awaits completion (due ${step.dueAt})`);
    }
  }

  async function runAutomatedStep(def: AutomatedStep, step: StepState) {
    if (def.approvalRoles && step.status === 'pending') {
      step.status = 'awaiting-approval';
      await record('step-awaiting-approval', undefined, { stepId: def.id, roles: def.approvalRoles });
      await send('approval-request', contactsFor(def.approvalRoles), `Approval needed: '${def.title}' for ${s.incidentId} (${s.tier}). Approve or reject with dbops.`);
    }
    if (step.status === 'awaiting-approval') {
      await condition(() => step.status !== 'awaiting-approval' || isResolved());
      if ((step.status as StepState['status']) !== 'running') return; // rejected, or the incident was resolved
    }
    const act = proxyActivities<DbopsActivities>({
      startToCloseTimeout: def.timeoutSeconds * 1000,
      retry: { maximumAttempts: def.maxAttempts, initialInterval: '2 seconds', backoffCoefficient: 2 },
    })[def.action];
    while (!isResolved()) {
      // A step already waiting for a decision (say, across continue-as-new) waits on; it never reruns by itself.
      if (step.status !== 'awaiting-decision') {
        step.status = 'running';
        step.startedAt = iso(now());
        step.attempts++;
        try {
          const result: StepResult = await tracked(() =>
            act({ incidentId: s.incidentId, stepId: def.id, tier: s.tier, now: iso(now()), title: s.title, recipients: currentResponders() }),
          );
          Object.assign(step, { status: 'succeeded', outcome: result.outcome, summary: result.summary, evidence: result.evidence, error: undefined, finishedAt: iso(now()) });
          await record('step-succeeded', undefined, { stepId: def.id, outcome: result.outcome, summary: result.summary, evidence: result.evidence });
          return;
        } catch (err) {
          if (!(err instanceof ActivityFailure)) throw err;
          const cause = err.cause instanceof Error ? err.cause.message : err.message;
          Object.assign(step, { status: 'awaiting-decision', error: cause });
          await record('step-failed', undefined, { stepId: def.id, error: cause, attempts: step.attempts });
          await send('step-failed', currentResponders(), `Step '${def.title}' of ${s.incidentId} failed: ${cause}. Decide: retry, skip or abort.`);
        }
      }
      // The decision lives on the step (part of the state), so it survives continue-as-new.
      await condition(() => step.decision !== undefined || isResolved());
      const decision = step.decision;
      step.decision = undefined;
      if (decision === 'skip') {
        Object.assign(step, { status: 'skipped', finishedAt: iso(now()) });
        return;
      }
      if (decision === 'abort') {
        Object.assign(step, { status: 'aborted', finishedAt: iso(now()) });
        s.stepsAborted = true;
        return;
      }
      if (decision === 'retry') step.status = 'running';
    }
  }

  async function runSteps() {
    while (s.currentStep < plan.type.steps.length && !isResolved() && !s.stepsAborted) {
      const def = plan.type.steps[s.currentStep];
      const step = s.steps[s.currentStep];
      if (def.kind === 'manual') await runManualStep(def, step);
      else await runAutomatedStep(def, step);
      if (isResolved()) return;
      s.currentStep++;
    }
    if (!isResolved()) await record(s.stepsAborted ? 'runbook-aborted' : 'runbook-finished', undefined, { steps: s.steps.map((x) => ({ id: x.id, status: x.status, outcome: x.outcome })) });
  }

  // ---- main -----------------------------------------------------------------------------------------------------
  upsertSearchAttributes([
    { key: SA_KIND, value: 'incident' },
    { key: SA_TYPE, value: s.type },
    { key: SA_TIER, value: s.tier },
    { key: SA_PHASE, value: s.phase },
    { key: SA_SEVERITY, value: s.severity },
  ]);
  if (!input.carried) {
    await record('opened', input.trigger.by, {
      key: input.incidentKey,
      source: input.trigger.source,
      summary: input.trigger.summary,
      runbookVersion: plan.runbookVersion,
      ladder: plan.ladder.map((r) => ({ roles: r.roles, contacts: r.contacts.map((c) => c.id) })),
    });
    if (severityDef().escalation.kind === 'immediate') {
      // Critical: the whole ladder is paged at once.
      for (let level = 0; level < plan.ladder.length; level++) await page(level, 'opened');
    } else {
      await page(0, 'opened');
    }
  }

  const canAfter = input.continueAsNewAfterEvents;
  const shouldContinueAsNew = () =>
    (canAfter !== undefined ? workflowInfo().historyLength > canAfter : workflowInfo().continueAsNewSuggested) && activitiesInFlight === 0;

  void runLadder();
  void runSteps();
  // Continue as new only at a quiet moment: a step activity started while the audit chain settled would otherwise
  // be cut off, and run again (a failover, twice) in the next run.
  do {
    await condition(() => isResolved() || shouldContinueAsNew());
    await settle(() => auditChain, () => repeatsUnrecorded > 0);
  } while (!isResolved() && !shouldContinueAsNew());
  if (!isResolved()) {
    s.runs++;
    await continueAsNew<typeof incidentResponse>({ ...input, carried: s });
  }
  return s;
}

function initialState(input: OpenIncidentInput): IncidentState {
  const info = workflowInfo();
  const openedAt = Date.now();
  const type = input.plan.type;
  const severity = input.plan.severities[input.severity];
  const due = responseDueAt(openedAt, type, severity);
  const day = new Date(openedAt).toISOString().slice(0, 10).replace(/-/g, '');
  return {
    incidentId: `INC-${day}-${info.firstExecutionRunId.slice(0, 8)}`,
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
    escalation: { level: 0, pages: 0, responseDueAt: iso(due), responseMissed: false, nextEscalationAt: iso(escalationAt(due, severity, input.plan.calendar)) },
    currentStep: 0,
    stepsAborted: false,
    steps: type.steps.map((d) => ({ id: d.id, title: d.title, kind: d.kind, status: 'pending', attempts: 0 })),
    notes: [],
    timeline: [],
    auditSeq: 0,
    runs: 1,
  };
}
