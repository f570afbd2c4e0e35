import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChecklistPlan } from '../runbooks/checklistPlan';
import type { Tier } from '../runbooks/types';
import type { Outcome } from './incidentDefinitions';

/** Shared by the checklist workflow and its clients. */

export interface DailyChecklistInput {
  plan: ChecklistPlan;
}

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
}

export const checklistStateQuery = defineQuery<ChecklistRunState>('checklistState');
export const signOffUpdate = defineUpdate<ChecklistRunState, [{ actor: string; itemId: string; outcome: Outcome; note?: string }]>('signOff');
