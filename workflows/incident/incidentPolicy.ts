import { decide, DEFAULT_ACTION_POLICY, type Action, type PolicyFacts } from '../../runbooks/actionPolicy';
import type { AutomatedStep, Role } from '../../runbooks/types';
import { requireDecision, requireResponder } from '../shared/authorisation';
import type { IncidentContext } from './context';
import { pagedRungs } from './ladder';
import type { ActorRequest } from './messages';

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
  const step = more.stepId ? (plan.type.steps.find((x) => x.id === more.stepId) as AutomatedStep | undefined) : undefined;
  const facts: PolicyFacts = {
    actor: responder.id,
    actorRoles: responder.roles,
    ladderRoles: [...new Set<Role>(plan.ladder.flatMap((r) => r.roles))],
    paged: pagedSoFar(ctx),
    acknowledgedBy: s.acknowledgedBy,
    severity: s.severity,
    stepApprovalRoles: step?.approvalRoles,
    reason: more.reason,
  };
  requireDecision(decide(plan.policy ?? DEFAULT_ACTION_POLICY, action, facts), request.actor, ACTION_WORDS[action]);
}
