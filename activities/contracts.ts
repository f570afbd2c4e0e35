import type { Contact } from '../runbooks/plan';
import type { Outcome, Role, Tier } from '../runbooks/types';

export type { AuditEvent, ChecklistItemState, ChecklistRunSnapshot, ChecklistRunState, IncidentSnapshot } from '../db/audit/records';

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
}

export interface StepResult {
  outcome: Outcome;
  summary: string;
  evidence: Record<string, unknown>;
}
