import type { IncidentPhase, IncidentTypeId, Outcome, Severity, Tier } from '../../runbooks/types';

/** What the audit store keeps: events, and the incident and checklist-run rows the workflows snapshot into it. */

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
  type: IncidentTypeId;
  severity: Severity;
  tier: Tier;
  fingerprint: string;
  title: string;
  phase: IncidentPhase;
  runbookVersion: string;
  openedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  resolvedAt?: string;
  resolution?: string;
  triggerCount: number;
  escalationLevel: number;
  /** A drill (docs/drills.md): kept out of the SLA report; its acknowledgement time is recorded in `drills`. */
  drill?: boolean;
  /**
   * What happens next unless someone acts (workflows/incident/nextDeadline.ts), or null when nothing is due: lists read
   * it from the row instead of asking each incident's workflow. Absent in snapshots made before it existed.
   */
  nextDeadline?: NextDeadline | null;
}

/** What happens next unless someone acts, as lists show it ("response due in 4m", "next escalation 2m ago"). */
export interface NextDeadline {
  at: string;
  what: 'response due' | 'next escalation' | 'snooze ends';
}

/** A checklist run as the workflow keeps it and the audit store stores it. */
export interface ChecklistItemState {
  /** Item id, with the tier for per-tier checks: "connection-pool-status@oltp". */
  key: string;
  itemId: string;
  tier?: Tier;
  title: string;
  kind: 'automated' | 'manual';
  status: 'pending' | 'running' | 'awaiting-sign-off' | 'done';
  outcome?: Outcome;
  summary?: string;
  evidence?: Record<string, unknown>;
  /** Workflow ids of incidents this item opened or joined. */
  incidents: string[];
  dueAt?: string;
  escalationLevel?: number;
  signedBy?: string;
  note?: string;
  finishedAt?: string;
}

export interface ChecklistRunState {
  runId: string;
  checklistId: string;
  name: string;
  runbookVersion: string;
  status: 'running' | 'finished';
  startedAt: string;
  finishedAt?: string;
  items: ChecklistItemState[];
  counts: { pass: number; warn: number; fail: number };
  auditSeq: number;
  /** Hash of the last audit event the store confirmed: the chain's anchor outside the store. */
  auditHash?: string;
}

/** The checklist_runs row as the workflow sees it when it writes an event. */
export type ChecklistRunSnapshot = Pick<
  ChecklistRunState,
  'runId' | 'checklistId' | 'name' | 'runbookVersion' | 'status' | 'startedAt' | 'finishedAt' | 'counts'
>;
