import { z } from 'zod';

/**
 * A name from one of the shipped runbook's vocabularies (roles, tiers, incident types), typed as a plain string: a
 * runbook file may name others, which the runbook's own validation (runbooks/runbookFileSchema.ts) accepts.
 */
export const oneOf = (values: readonly [string, ...string[]]) => z.enum(values).pipe(z.string());

/** A name a runbook file gives to a role, a tier, an incident type or a step: kebab-case. */
export const runbookName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a kebab-case name (a-z, 0-9, -)');
