import { ApplicationFailure } from '@temporalio/workflow';
import type { Responder } from '../../runbooks/plan';
import type { PolicyDecision } from '../../runbooks/actionPolicy';
import type { ActingRole, Role } from '../../runbooks/types';

/**
 * Update validators' check of who acts: the actor must be on the roster and, where roles are given, hold one of
 * them. `inForce` is the actor's roles in the roster in force when they acted (sent by the API that authenticated
 * them); without it, the roster frozen in the plan decides. Rejections are non-retryable and name what is accepted.
 */
export function requireResponder(
  responders: Responder[],
  actor: string,
  roles?: readonly Role[],
  action = 'do this',
  inForce?: { roles?: ActingRole[]; rosterVersion?: string },
): { id: string; roles: ActingRole[] } {
  if (inForce?.rosterVersion !== undefined && !/^[0-9a-f]{1,64}$/.test(String(inForce.rosterVersion)))
    throw ApplicationFailure.nonRetryable('rosterVersion must be a hex digest of the roster file', 'BadRosterVersion');
  const responder = inForce?.roles ? { id: actor, roles: inForce.roles } : responders.find((r) => r.id === actor);
  if (!responder) throw ApplicationFailure.nonRetryable(`unknown actor '${actor}': not on the roster`, 'UnknownActor');
  if (!Array.isArray(responder.roles) || !responder.roles.length)
    throw ApplicationFailure.nonRetryable(`'${actor}' holds no role in roster ${inForce?.rosterVersion ?? ''}`, 'UnknownActor');
  if (roles && !responder.roles.some((r) => (roles as readonly ActingRole[]).includes(r))) {
    throw ApplicationFailure.nonRetryable(`'${actor}' may not ${action}: it takes one of the roles ${roles.join(', ')}`, 'NotEntitled');
  }
  return responder;
}

/** Rejects a value outside a fixed vocabulary, naming what is accepted. */
export function requireOneOf<T extends string>(what: string, value: string, accepted: readonly T[], type: string): asserts value is T {
  if (!accepted.includes(value as T))
    throw ApplicationFailure.nonRetryable(`${what} must be one of ${accepted.join(', ')}, not '${value}'`, type);
}

/** Throws the action policy's refusal: names the rule and what it takes (NotEntitled), or that a reason is missing. */
export function requireDecision(decision: PolicyDecision, actor: string, doWhat: string): void {
  if (decision.allowed) return;
  const type = decision.missing === 'reason' ? 'MissingReason' : 'NotEntitled';
  throw ApplicationFailure.nonRetryable(
    `'${actor}' may not ${doWhat}: ${decision.why} (policy rule '${decision.rule.id}'; dbops policy lists them)`,
    type,
    { rule: decision.rule.id },
  );
}
