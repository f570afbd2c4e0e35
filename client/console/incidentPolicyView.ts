import { QueryNotRegisteredError, type WorkflowHandle } from '@temporalio/client';
import { decide, type Action, type PolicyDecision } from '../../runbooks/actionPolicy';
import { escalationRoles } from '../../runbooks/plan';
import type { Person } from '../../runbooks/roster';
import type { Runbook } from '../../runbooks/runbook';
import type { AutomatedStep, Role } from '../../runbooks/types';
import { incidentPolicyQuery, type IncidentPolicyFacts, type IncidentState } from '../../workflows/incident/messages';

/**
 * The facts the incident's own validators judge by (its frozen policy, ladder and step approvers), asked of its
 * workflow; undefined from a worker older than that query (then: runbookPolicyFacts).
 */
export async function askIncidentPolicy(handle: WorkflowHandle): Promise<IncidentPolicyFacts | undefined> {
  try {
    return await handle.query(incidentPolicyQuery);
  } catch (err) {
    if (err instanceof QueryNotRegisteredError) return undefined;
    throw err;
  }
}

/** The runbook in force's facts for the incident's type: its own unless the file changed since it opened (the validator still judges). */
export function runbookPolicyFacts(state: IncidentState, runbook: Runbook): IncidentPolicyFacts {
  const type = runbook.incidentTypes[state.type];
  return {
    policy: runbook.actionPolicy,
    ladderRoles: type ? [...new Set<Role>(escalationRoles(type, runbook.generalEscalationPath).flat())] : [],
    stepApprovalRoles: Object.fromEntries(
      ((type?.steps ?? []) as AutomatedStep[]).flatMap((x) => (x.approvalRoles ? [[x.id, x.approvalRoles]] : [])),
    ),
    classifyInto: Object.keys(runbook.incidentTypes).filter((t) => t !== 'unclassified'),
    typeName: type?.name,
  };
}

/**
 * What the action policy says the person may do on this incident, so a page shows only the buttons they may press.
 * The facts are the workflow's validator's (workflows/incident/incidentPolicy.ts); the validator stays the judge: a
 * button shown in error is refused there, and the refusal shows its rule.
 */
export function incidentPermissions(state: IncidentState, person: Person, facts: IncidentPolicyFacts) {
  return (action: Action, stepId?: string, reason = 'given on the form'): PolicyDecision =>
    decide(facts.policy, action, {
      actor: person.id,
      actorRoles: person.roles,
      ladderRoles: facts.ladderRoles,
      paged: state.paged ?? [],
      acknowledgedBy: state.acknowledgedBy,
      severity: state.severity,
      stepApprovalRoles: stepId ? facts.stepApprovalRoles[stepId] : undefined,
      reason,
    });
}
