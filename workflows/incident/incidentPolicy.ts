import { decide, DEFAULT_ACTION_POLICY, type Action, type PolicyFacts } from '../../runbooks/actionPolicy';
import type { AutomatedStep, Role } from '../../runbooks/types';
import { requireDecision, requireResponder } from '../shared/authorisation';
import type { IncidentContext } from './context';
import { pagedRungs } from './ladder';
import type { ActorRequest, IncidentPolicyFacts } from './messages';
import type { IncidentPlan } from '../../runbooks/plan';

/** How a refusal names the action to the person refused. */
const ACTION_WORDS: Record<Action, string> = {
  acknowledge: 'acknowledge this incident',
  note: 'add a note',
  'raise-severity': 'raise the severity',
  'lower-severity': 'lower the severity',
  classify: 'classify this incident',
  'complete-step': 'complete a step',
  'approve-step': 'approve this step',
  'reject-step': 'reject this step',
  'retry-step': 'retry this step',
  'skip-step': 'skip this step',
  'abort-steps': 'abort the runbook',
  resolve: 'resolve this incident',
  snooze: 'snooze this incident',
  unsnooze: 'end the snooze of this incident',
  'sign-checklist-item': 'sign this item off',
  maintenance: 'make or end a maintenance window',
  drill: 'run a drill',
};

/** Everyone the incident's pages reached so far; runs before the action policy knew it: everyone on the rungs paged. */
const pagedSoFar = ({ plan, s }: IncidentContext): string[] => s.paged ?? pagedRungs(plan, s).flatMap((r) => r.contacts.map((c) => c.id));

/** The policy, ladder roles and step approvers a plan's validators judge by (also answered to the console). */
export function policyFactsOf(plan: IncidentPlan): IncidentPolicyFacts {
  return {
    policy: plan.policy ?? DEFAULT_ACTION_POLICY,
    ladderRoles: [...new Set<Role>(plan.ladder.flatMap((r) => r.roles))],
    // The first step of an id decides, as a lookup by id finds it (a classified incident's current step comes first).
    stepApprovalRoles: Object.fromEntries(
      [...(plan.type.steps as AutomatedStep[])].reverse().flatMap((x) => (x.approvalRoles ? [[x.id, x.approvalRoles]] : [])),
    ),
    classifyInto: Object.keys(plan.classifyInto ?? {}),
    typeName: plan.type.name,
  };
}

/**
 * An Update validator's check of the action policy (runbooks/actionPolicy.ts, frozen into the plan): the actor must be
 * on the roster in force, and the rule the action falls under must entitle them. A refusal names the rule and what it
 * takes; it is non-retryable and leaves nothing in the workflow's history.
 */
export function requireAllowed(
  ctx: IncidentContext,
  action: Action,
  request: ActorRequest,
  more: { stepId?: string; reason?: string } = {},
): void {
  const { plan, s } = ctx;
  const responder = requireResponder(plan.responders, request.actor, undefined, ACTION_WORDS[action], request);
  const { policy, ladderRoles, stepApprovalRoles } = policyFactsOf(plan);
  const facts: PolicyFacts = {
    actor: responder.id,
    actorRoles: responder.roles,
    ladderRoles,
    paged: pagedSoFar(ctx),
    acknowledgedBy: s.acknowledgedBy,
    severity: s.severity,
    stepApprovalRoles: more.stepId ? stepApprovalRoles[more.stepId] : undefined,
    reason: more.reason,
  };
  requireDecision(decide(policy, action, facts), request.actor, ACTION_WORDS[action]);
}
