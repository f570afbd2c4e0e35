import { ApplicationFailure } from '@temporalio/workflow';
import type { Responder } from '../../runbooks/plan';
import type { Role } from '../../runbooks/types';

/**
 * Update validators' check of who acts: the actor must be on the roster and, where roles are given, hold one of
 * them. Rejections are non-retryable and name what is accepted.
 */
export function requireResponder(responders: Responder[], actor: string, roles?: readonly Role[], action = 'do this'): Responder {
  const responder = responders.find((r) => r.id === actor);
  if (!responder) throw ApplicationFailure.nonRetryable(`unknown actor '${actor}': not on the roster`, 'UnknownActor');
  if (roles && !responder.roles.some((r) => roles.includes(r))) {
    throw ApplicationFailure.nonRetryable(`'${actor}' may not ${action}: it takes one of the roles ${roles.join(', ')}`, 'NotEntitled');
  }
  return responder;
}

/** Rejects a value outside a fixed vocabulary, naming what is accepted. */
export function requireOneOf<T extends string>(what: string, value: string, accepted: readonly T[], type: string): asserts value is T {
  if (!accepted.includes(value as T))
    throw ApplicationFailure.nonRetryable(`${what} must be one of ${accepted.join(', ')}, not '${value}'`, type);
}
