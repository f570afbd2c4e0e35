import { z } from 'zod';

/**
 * A name from one of the shipped runbook's vocabularies (roles, tiers, incident types), typed as a plain string: a
 * runbook file may name others, which the runbook's own validation (runbooks/runbookFileSchema.ts) accepts.
 */
export const oneOf = (values: readonly [string, ...string[]]) => z.enum(values).pipe(z.string());

/** A name a runbook file gives to a role, a tier, an incident type or a step: kebab-case. */
export const runbookName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a kebab-case name (a-z, 0-9, -)');

/**
 * Names checked against the runbook in force's (its tiers, incident types or roles): the first one it does not have,
 * as one line naming the field, the name and what is accepted; undefined when all are its.
 */
export function notInRunbook(
  field: string,
  names: readonly string[] | string | undefined,
  what: string,
  accepted: readonly string[],
): string | undefined {
  const unknown = (typeof names === 'string' ? [names] : (names ?? [])).find((n) => !accepted.includes(n));
  return unknown === undefined ? undefined : `${field}: '${unknown}' is not ${what} of the runbook in force; one of ${accepted.join(', ')}`;
}
