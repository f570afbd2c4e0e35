import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActionPolicy } from '../../runbooks/actionPolicy';
import type { ChecklistPlan } from '../../runbooks/checklistPlan';
import type { ChecklistRunState } from '../../activities/contracts';
import type { Outcome, Role } from '../../runbooks/types';

export type { ChecklistItemState, ChecklistRunState } from '../../activities/contracts';

/** Shared by the checklist workflow and its clients. */

export interface DailyChecklistInput {
  plan: ChecklistPlan;
}

export const checklistStateQuery = defineQuery<ChecklistRunState>('checklistState');

/** What the run's sign-off validator judges by: the action policy frozen into its input, and each manual item's sign-off roles. */
export interface ChecklistPolicyFacts {
  policy: ActionPolicy;
  signOffRoles: Record<string, Role[]>;
}
export const checklistPolicyQuery = defineQuery<ChecklistPolicyFacts>('checklistPolicy');
/** roles and rosterVersion: the signer's roles in the roster in force, sent by the dbops API (see ActorRequest). */
export const signOffUpdate = defineUpdate<
  ChecklistRunState,
  [{ actor: string; itemId: string; outcome: Outcome; note?: string; roles?: Role[]; rosterVersion?: string }]
>('signOff');
