import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionPolicy } from '../../runbooks/actionPolicy';
import type { AlertResolvedPolicyName } from '../../runbooks/alertRouting';
import type { IncidentPlan } from '../../runbooks/plan';
import type { ActingRole, IncidentPhase, IncidentTypeId, Outcome, Role, Severity, StepDecision, Tier } from '../../runbooks/types';

/** Shared by the incident workflow and its clients: one definition of every message the workflow takes. */

export interface IncidentTrigger {
  source: 'cli' | 'webhook' | 'checklist';
  by: string;
  summary?: string;
  /** When the intake (or the CLI) received the alert, by its own clock: the incident's clocks start here. */
  receivedAt?: string;
  /** The source's own timestamp of the alert, if it sent one: recorded beside receivedAt, never trusted as a clock. */
  firedAt?: string;
  /** The severity the alert (or person) asked for: a repeat of higher severity breaks a snooze (alert-lifecycle runs). */
  severity?: Severity;
  /** The maintenance window whose held alerts, still firing at its end, opened this incident (alert-grouping runs). */
  heldBy?: MaintenanceRelease;
}

/** A maintenance window's occurrence that held alerts on an incident's key, as the incident records it. */
export interface MaintenanceRelease {
  windowId: string;
  reason: string;
  from: string;
  to: string;
  /** Alerts held on the key (repeats counted), and how many of their sources were still firing at the end. */
  alerts: number;
  firing: number;
}

/** An alert grouped into an incident instead of paging: what it was, and why it was grouped. */
export interface RelatedAlert {
  at: string;
  /** `integration:<name>`, or `dbops` for an incident linked by the intake. */
  by: string;
  type: IncidentTypeId;
  tier: Tier;
  /** The topology node the alert is about (a replica's name), when it says. */
  node?: string;
  title: string;
  summary?: string;
  dedupKey?: string;
  /** topology: a replica's symptom while its primary's outage is open; grouping-window: same cause, soon after the
   * opening; earlier-incident: an incident opened (and paged) before this one, for the same cause, linked to it. */
  cause: 'topology' | 'grouping-window' | 'earlier-incident';
  why: string;
  /** For earlier-incident: that incident's INC id (its pages went out and stay on its record). */
  incidentId?: string;
  workflowId?: string;
}

export interface OpenIncidentInput {
  /** Dedup key: the same type, tier and fingerprint reach one running incident. */
  incidentKey: string;
  type: IncidentTypeId;
  severity: Severity;
  tier: Tier;
  fingerprint: string;
  title: string;
  trigger: IncidentTrigger;
  plan: IncidentPlan;
  /** State carried across continue-as-new; absent when the incident first opens. */
  carried?: IncidentState;
  /** A drill (drills runs, docs/drills.md): marked DRILL everywhere, kept out of the SLA report, hooks not run. */
  drill?: boolean;
  /** Continue-as-new once history passes this many events (default: when the server suggests it). */
  continueAsNewAfterEvents?: number;
}

export type StepStatus =
  | 'pending'
  | 'running'
  | 'awaiting-approval'
  | 'awaiting-completion'
  | 'awaiting-decision'
  | 'succeeded'
  | 'completed'
  | 'skipped'
  | 'rejected'
  | 'aborted';

export interface StepState {
  id: string;
  title: string;
  kind: 'automated' | 'manual' | 'classify' | 'probe';
  status: StepStatus;
  attempts: number;
  outcome?: Outcome;
  summary?: string;
  evidence?: Record<string, unknown>;
  error?: string;
  dueAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Who completed, approved, rejected or decided on the step. */
  by?: string;
  /** A decision on a failed step that the runner has not acted on yet. */
  decision?: StepDecision;
  note?: string;
}

export interface TimelineEntry {
  at: string;
  kind: string;
  actor?: string;
  detail?: string;
}

/** What an incident is: fixed when it opens (severity and title aside), kept in its state. */
export interface IncidentState extends Pick<OpenIncidentInput, 'incidentKey' | 'type' | 'severity' | 'tier' | 'fingerprint' | 'title'> {
  incidentId: string;
  workflowId: string;
  runbookVersion: string;
  phase: IncidentPhase;
  openedAt: string;
  triggerCount: number;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  resolution?: string;
  escalation: {
    /** Highest rung paged so far, counted from 0 (people read it from 1: runbooks/ladderLevels.ts). */
    level: number;
    pages: number;
    /** The rung of the latest page, from 0, and how many times the ladder started again from level 1 (action-policy runs). */
    rung?: number;
    pass?: number;
    responseDueAt: string;
    responseMissed: boolean;
    nextEscalationAt?: string;
  };
  currentStep: number;
  stepsAborted: boolean;
  steps: StepState[];
  notes: { at: string; actor: string; text: string }[];
  /** The most recent transitions; the audit store keeps all of them. */
  timeline: TimelineEntry[];
  /** Sequence number of the last audit event written. */
  auditSeq: number;
  /** Hash of the last audit event the store confirmed: the chain's anchor outside the store. */
  auditHash?: string;
  /** Runs of this incident so far (continue-as-new). */
  runs: number;
  /** The people pages of this incident reached so far, as the notify activity resolved them (action-policy runs). */
  paged?: string[];
  /** An incident opened unclassified and classified since: the type it was opened as. */
  classifiedFrom?: IncidentTypeId;
  /** Alert-lifecycle runs (docs/alert-lifecycle.md): see workflows/incident/snooze.ts, ackTimeout.ts, flapping.ts. */
  snooze?: Snooze;
  /** When the acknowledgement lapses without an update: a reminder first, then the return to escalation. */
  ackTimer?: { remindAt: string; returnAt: string; reminded: boolean };
  /** The alert's breach must hold until `until` before the incident pages. */
  hold?: { until: string; holdForSeconds: number; since: string };
  /** The first acknowledgement, kept for MTTA once an acknowledgement lapsed or the incident reopened. */
  firstAcknowledged?: { at: string; by: string };
  /** Times a cleared alert firing again reopened this incident. */
  reopens?: number;
  /** Closed by its alert's clearing (not by a person): a new firing within the reopen window reopens it. */
  closedByAlert?: boolean;
  /** Times the incident went back to its ladder (acknowledgement lapsed, snooze broken, reopened): its pages' ids differ. */
  returns?: number;
  /** Alerts grouped into this incident instead of paging (alert-grouping runs): how many, and the latest. */
  related?: { count: number; recent: RelatedAlert[] };
  /** A drill (drills runs): see OpenIncidentInput.drill. */
  drill?: boolean;
  /** An incident linked into a later one of the same cause: that one's INC id (alert-grouping runs). */
  linkedTo?: { incidentId: string; workflowId: string; why: string };
}

export interface Snooze {
  by: string;
  reason: string;
  since: string;
  until: string;
  /** The severity when snoozed: a trigger of a higher one breaks the snooze. */
  severity: Severity;
}

export interface ActorRequest {
  actor: string;
  /**
   * The actor's roles in the roster in force when they acted, and that roster's version: set by the dbops API, which
   * authenticated the actor. Absent (older clients, recorded histories), the roster frozen in the plan decides.
   */
  roles?: ActingRole[];
  rosterVersion?: string;
}

export const triggerSignal = defineSignal<[IncidentTrigger]>('trigger');

/** A notification that the outbox gave up on after its last attempt: the incident records it in its timeline. */
export interface DeliveryFailure {
  notificationId: string;
  channel: string;
  recipients: string[];
  attempts: number;
  error: string;
}
export const deliveryFailedSignal = defineSignal<[DeliveryFailure]>('deliveryFailed');
export const incidentStateQuery = defineQuery<IncidentState>('state');

/**
 * What the incident's Update validators judge a person's action by (workflows/incident/incidentPolicy.ts): the action
 * policy frozen into its plan, the roles on its ladder and each step's approver roles. The console shows the buttons
 * this allows; the validators stay the judge.
 */
export interface IncidentPolicyFacts {
  policy: ActionPolicy;
  ladderRoles: Role[];
  stepApprovalRoles: Record<string, Role[]>;
  /** An unclassified incident's choices (the classify validator's). */
  classifyInto: string[];
  /** Its type's name as its plan froze it (absent from workers older than it: then the runbook in force names it). */
  typeName?: string;
}
export const incidentPolicyQuery = defineQuery<IncidentPolicyFacts>('policy');

/**
 * What an incident does when its monitoring says the alert is over. `resolve`: close the incident if nobody has acted
 * on it yet, otherwise record it and tell the responders; `record`: record it and tell them (a human closes it).
 */
export type AlertResolvedPolicy = AlertResolvedPolicyName;

/** A monitoring tool's "resolved" for the alert that opened (or repeated) this incident. */
export interface AlertResolved {
  /** Who said so: `integration:<name>`. */
  by: string;
  policy: AlertResolvedPolicy;
  /** The incident's first run id: a resolve meant for an earlier incident on the same key is ignored. */
  firstRunId: string;
  /** The alert's dedup key at its source (PagerDuty dedup_key, Alertmanager fingerprint). */
  dedupKey: string;
  summary?: string;
  /** When the source says the alert ended (Alertmanager's endsAt). */
  endedAt?: string;
}
export const alertResolvedSignal = defineSignal<[AlertResolved]>('alertResolved');

export const acknowledgeUpdate = defineUpdate<IncidentState, [ActorRequest & { note?: string }]>('acknowledge');
export const resolveUpdate = defineUpdate<IncidentState, [ActorRequest & { summary: string }]>('resolve');
export const changeSeverityUpdate = defineUpdate<IncidentState, [ActorRequest & { severity: Severity; reason?: string }]>('changeSeverity');
export const addNoteUpdate = defineUpdate<IncidentState, [ActorRequest & { text: string }]>('addNote');
export const completeStepUpdate = defineUpdate<
  IncidentState,
  [ActorRequest & { stepId: string; outcome: Outcome; note?: string; evidence?: Record<string, unknown> }]
>('completeStep');
export const approveStepUpdate = defineUpdate<IncidentState, [ActorRequest & { stepId: string; note?: string }]>('approveStep');
export const rejectStepUpdate = defineUpdate<IncidentState, [ActorRequest & { stepId: string; reason: string }]>('rejectStep');
/** An unclassified incident becomes one of the runbook's types, and runs that type's steps. */
export const classifyUpdate = defineUpdate<IncidentState, [ActorRequest & { type: IncidentTypeId; note?: string }]>('classify');
/** Pauses the incident's clocks for `forMs` (at most its severity's snoozeMaxMinutes). */
export const snoozeUpdate = defineUpdate<IncidentState, [ActorRequest & { forMs: number; reason: string }]>('snooze');
export const unsnoozeUpdate = defineUpdate<IncidentState, [ActorRequest & { note?: string }]>('unsnooze');
export const decideStepUpdate = defineUpdate<IncidentState, [ActorRequest & { stepId: string; decision: StepDecision; note?: string }]>(
  'decideStep',
);

/** Groups an alert into this incident (alert-grouping runs; older runs have no such Update, and the alert pages). */
export const relateAlertUpdate = defineUpdate<{ count: number; incidentId: string }, [Omit<RelatedAlert, 'at'>]>('relateAlert');
/**
 * The same, once the intake has had this incident confirm it takes related alerts (relateAlertUpdate): a signal is
 * kept by the server and answered at once, where an Update waits for the incident's next workflow task, which a
 * storm of other incidents' tasks can hold for longer than the intake may wait. A storm of symptoms of one outage is
 * exactly when that happens.
 */
export const relatedAlertSignal = defineSignal<[Omit<RelatedAlert, 'at'>]>('relatedAlert');
/** This incident was linked into a later incident of the same cause: recorded on both, its pages stay on its record. */
export const linkedIntoUpdate = defineUpdate<{ incidentId: string }, [{ by: string; incidentId: string; workflowId: string; why: string }]>(
  'linkedInto',
);
/** Alerts a maintenance window held on this key still fire at its end: page again, once per occurrence (its update id). */
export const maintenanceEndedUpdate = defineUpdate<{ incidentId: string }, [MaintenanceRelease]>('maintenanceEnded');

/** Workflow id for a dedup key: one running incident per key. */
export function incidentWorkflowId(type: IncidentTypeId, tier: Tier, fingerprint: string): string {
  return `incident/${type}/${tier}/${fingerprint}`;
}
