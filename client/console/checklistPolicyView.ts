import { QueryNotRegisteredError, type WorkflowHandle } from '@temporalio/client';
import type { ManualChecklistItem } from '../../runbooks/checklists';
import type { Runbook } from '../../runbooks/runbook';
import { checklistPolicyQuery, type ChecklistPolicyFacts, type ChecklistRunState } from '../../workflows/checklist/messages';

/**
 * What a checklist run's sign-off validator judges by (its frozen action policy and items), asked of its workflow, so
 * the console offers a sign-off form where the validator allows one. A worker older than that query: the runbook in
 * force's (the validator still judges every sign-off, and a refusal names its rule).
 */
export async function askChecklistPolicy(handle: WorkflowHandle, run: ChecklistRunState, runbook: Runbook): Promise<ChecklistPolicyFacts> {
  try {
    return await handle.query(checklistPolicyQuery);
  } catch (err) {
    if (!(err instanceof QueryNotRegisteredError)) throw err;
    const items = runbook.checklists[run.checklistId]?.items ?? [];
    return {
      policy: runbook.actionPolicy,
      signOffRoles: Object.fromEntries(
        items.flatMap((i) => (i.kind === 'manual' ? [[i.id, (i as ManualChecklistItem).signOffRoles]] : [])),
      ),
    };
  }
}
