import { CHECKLIST_IDS, type ChecklistId } from '../../runbooks/types';
import type { Client } from '@temporalio/client';
import { buildChecklistPlan, type ChecklistRunbook } from '../../runbooks/checklistPlan';
import { CHECKLISTS, type ChecklistDefinition } from '../../runbooks/checklists';
import type { Roster } from '../../runbooks/roster';
import type { DailyChecklistInput } from '../../workflows/checklist/messages';
import type { dailyChecklist } from '../../workflows/checklist/dailyChecklist';
import { SA_KIND, SA_TYPE } from '../../workflows/shared/searchAttributes';

export function checklistInput(
  id: ChecklistId,
  roster: Roster,
  definitions: Record<ChecklistId, ChecklistDefinition> = CHECKLISTS,
  /** The runbook in force: its version and the action policy the run's sign-offs follow (the built-in one when absent). */
  runbook?: ChecklistRunbook,
): DailyChecklistInput {
  if (!CHECKLIST_IDS.includes(id)) throw new Error(`unknown checklist '${id}'; accepted: ${CHECKLIST_IDS.join(', ')}`);
  return { plan: buildChecklistPlan(id, roster, definitions[id], runbook) };
}

/** Runs a checklist now, outside its schedule (e.g. after an outage, or to try it). */
export async function startChecklist(
  client: Client,
  taskQueue: string,
  id: ChecklistId,
  roster: Roster,
  workflowId = `checklist/${id}/manual-${Date.now()}`,
  definitions: Record<ChecklistId, ChecklistDefinition> = CHECKLISTS,
  runbook?: ChecklistRunbook,
) {
  return client.workflow.start<typeof dailyChecklist>('dailyChecklist', {
    workflowId,
    taskQueue,
    args: [checklistInput(id, roster, definitions, runbook)],
    typedSearchAttributes: [
      { key: SA_KIND, value: 'checklist' },
      { key: SA_TYPE, value: id },
    ],
  });
}
