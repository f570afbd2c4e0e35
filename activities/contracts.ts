import type { Contact } from '../runbooks/plan';
import type { Outcome, ProbeRequest, Role, Severity, Tier } from '../runbooks/types';

export type {
  AuditEvent,
  ChecklistItemState,
  ChecklistRunSnapshot,
  ChecklistRunState,
  IncidentSnapshot,
  NextDeadline,
} from '../db/audit/records';

/** Plain data passed between workflows and activities. */

export interface NotificationRequest {
  /** Deterministic, so a retried activity never sends twice. */
  notificationId: string;
  subjectId: string;
  kind:
    | 'page'
    | 'reminder'
    | 'escalation'
    | 'step-failed'
    | 'approval-request'
    | 'stakeholder'
    | 'report'
    | 'resolved'
    | 'delivery-failed'
    | 'alert-resolved'
    | 'severity-changed'
    /** Alert lifecycle notices: snoozed, an acknowledgement about to lapse (docs/alert-lifecycle.md). */
    | 'lifecycle'
    | 'handoff';
  message: string;
  recipients: Contact[];
  occurredAt: string;
  /**
   * The roles the notification is for (a rung of the ladder, a step's approvers): when given, the notify activity
   * sends to whoever holds them in the roster in force at send time, and `recipients` (frozen when the incident
   * opened) is the fallback for a role nobody holds any more.
   */
  roles?: Role[];
  /**
   * The workflow the notification came from (set by the notify activity, kept in the outbox row): a page's links name
   * it, so they find the incident before the audit store has its row (the audit may lag the pages, by minutes in a storm).
   */
  workflowId?: string;
  /** The roster version the recipients were resolved with (set by the notify activity, kept in the outbox row). */
  rosterVersion?: string;
  /** The on-call schedules' version the recipients were resolved with (set by the notify activity, like rosterVersion). */
  scheduleVersion?: string;
  /**
   * The rungs above the page's own, in the order the ladder climbs (oncall-pages runs): a role of `roles` nobody holds
   * when the page is sent is paged to the first of these rungs with somebody on it, at once.
   */
  fallback?: FallbackRung[];
  /** The gaps the page went around (set by the notify activity): the mail tells the people it reached why. */
  gaps?: PageGap[];
  /** What is wrong and what to do, for a page's channels to show (oncall-pages runs). */
  diagnosis?: PageDiagnosis;
  /** From a drill (docs/drills.md): every channel marks it "[DRILL]". */
  drill?: boolean;
}

/** A rung of the ladder a page may fall back to: its level (from 1, as people read it) and roles. */
export interface FallbackRung {
  level: number;
  roles: Role[];
}

/** A role of a page that nobody held when it was sent, until when, and which rung was paged instead (none: nobody above). */
export interface PageGap {
  role: Role;
  /** ISO 8601; absent: nobody holds it within the week looked ahead. */
  until?: string;
  pagedInstead?: FallbackRung;
}

/** A page's diagnosis: made by the workflow from its state, so every channel and retry of one page says the same. */
export interface PageDiagnosis {
  incidentId: string;
  title: string;
  severity: Severity;
  /** The incident type's name, as the runbook calls it. */
  type: string;
  tier: Tier;
  /** The page's level, as people read it ("level 2", "level 1, repeat 1"). */
  level: string;
  /** When the response SLA ends (ISO 8601), shown in `timeZone`, the team's zone. */
  respondBy: string;
  timeZone: string;
  /** The automated checks finished so far: outcome and what they found. */
  checks: { title: string; outcome?: Outcome; summary?: string }[];
  /** The runbook's step the incident is at, and its status. */
  nextStep?: { title: string; status: string };
  /** Roster ids the incident's pages reached before this one (the activity adds names). */
  pagedBefore: string[];
  /** Names of everyone paged so far, this page included (set by the notify activity from the roster in force). */
  paged?: { id: string; name: string }[];
}

export interface StepInput {
  incidentId: string;
  stepId: string;
  tier: Tier;
  /** The workflow's "now", read once, so a retried attempt sees the same instant. */
  now: string;
  title: string;
  /**
   * `<incidentId>:<stepId>:<attempt>`, where attempt is the workflow's step attempt (a decision to retry makes a
   * new one). Temporal's own retries of one attempt carry the same key, so a hook can tell a repeat from a new request.
   */
  idempotencyKey: string;
  /** For notifyStakeholders: who to tell. */
  recipients?: Contact[];
  /** For runProbe: the probe as the incident's plan froze it. */
  probe?: ProbeRequest;
}

export interface StepResult {
  outcome: Outcome;
  summary: string;
  evidence: Record<string, unknown>;
}
