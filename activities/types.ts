import type { Contact } from '../runbooks/plan';
import type { Tier } from '../runbooks/types';
import type { ChecklistRunState } from '../workflows/checklistDefinitions';

/** Plain data passed between workflows and activities. */

export interface AuditEvent {
  /** The incident or checklist run the event belongs to. */
  subjectId: string;
  seq: number;
  kind: string;
  actor?: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** The incidents row as the workflow sees it when it writes an event. */
export interface IncidentSnapshot {
  incidentId: string;
  workflowId: string;
  type: string;
  severity: string;
  tier: string;
  fingerprint: string;
  title: string;
  phase: string;
  runbookVersion: string;
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolution?: string;
  triggerCount: number;
  escalationLevel: number;
}

export interface NotificationRequest {
  /** Deterministic, so a retried activity never sends twice. */
  notificationId: string;
  subjectId: string;
  kind: 'page' | 'reminder' | 'escalation' | 'step-failed' | 'approval-request' | 'stakeholder' | 'report' | 'resolved';
  message: string;
  recipients: Contact[];
  occurredAt: string;
}

export interface StepInput {
  incidentId: string;
  stepId: string;
  tier: Tier;
  /** The workflow's "now", read once, so a retried attempt sees the same instant. */
  now: string;
  title: string;
  /** For notifyStakeholders: who to tell. */
  recipients?: Contact[];
}

export interface StepResult {
  outcome: 'pass' | 'warn' | 'fail';
  summary: string;
  evidence: Record<string, unknown>;
}

/** The checklist_runs row as the workflow sees it when it writes an event. */
export type ChecklistRunSnapshot = Pick<ChecklistRunState, 'runId' | 'checklistId' | 'name' | 'runbookVersion' | 'status' | 'startedAt' | 'finishedAt' | 'counts'>;
