import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChecklistPlan } from '../../runbooks/checklistPlan';
import type { ChecklistRunState } from '../../activities/contracts';
import type { Outcome } from '../../runbooks/types';

export type { ChecklistItemState, ChecklistRunState } from '../../activities/contracts';

/** Shared by the checklist workflow and its clients. */

export interface DailyChecklistInput {
  plan: ChecklistPlan;
}

export const checklistStateQuery = defineQuery<ChecklistRunState>('checklistState');
export const signOffUpdate = defineUpdate<ChecklistRunState, [{ actor: string; itemId: string; outcome: Outcome; note?: string }]>(
  'signOff',
);
