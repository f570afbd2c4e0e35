import { decide, DEFAULT_ACTION_POLICY, type Action, type PolicyDecision } from '../../runbooks/actionPolicy';
import { INCIDENT_TYPES } from '../../runbooks/incidentTypes';
import { escalationRoles } from '../../runbooks/plan';
import type { Person } from '../../runbooks/roster';
import type { AutomatedStep, IncidentTypeId, Role } from '../../runbooks/types';
import type { IncidentState } from '../../workflows/incident/messages';

/**
 * What the action policy says the person may do on this incident, so a page shows only the buttons they may press.
 * The facts mirror the workflow's validator (workflows/incident/incidentPolicy.ts) from the runbook's ladder; the
 * validator stays the judge: a button shown in error is refused there, and the refusal shows its rule.
 */
export function incidentPermissions(state: IncidentState, person: Person) {
  const type = INCIDENT_TYPES[state.type as IncidentTypeId];
  const ladderRoles = type ? [...new Set<Role>(escalationRoles(type).flat())] : [];
  return (action: Action, stepId?: string, reason = 'given on the form'): PolicyDecision => {
    const step = stepId ? (type?.steps.find((s) => s.id === stepId) as AutomatedStep | undefined) : undefined;
    return decide(DEFAULT_ACTION_POLICY, action, {
      actor: person.id,
      actorRoles: person.roles,
      ladderRoles,
      paged: state.paged ?? [],
      acknowledgedBy: state.acknowledgedBy,
      severity: state.severity,
      stepApprovalRoles: step?.approvalRoles,
      reason,
    });
  };
}
