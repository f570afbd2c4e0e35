import { z } from 'zod';
import { ROLES, type Role } from './types';
import { runbookName } from './vocabulary';

/**
 * A roster maps the runbook's roles to people and their channels. It is configuration, not code. Its roles are
 * checked against the runbook in force's (rosterSchema): a runbook file may name roles the shipped one does not.
 */
export const PersonSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase id: letters, digits, dot, dash, underscore'),
  name: z.string().min(1),
  roles: z.array(runbookName).min(1),
  channels: z
    .object({
      email: z.string().email().optional(),
      phone: z.string().optional(),
      slack: z.string().optional(),
      /** A personal endpoint that receives the person's pages as signed JSON (see the README, "Signed webhooks"). */
      webhook: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    })
    .default({}),
});

/** A roster whose people hold only `roles` (the runbook in force's), each person once. */
export const rosterSchema = (roles: readonly Role[]) =>
  z.object({ people: z.array(PersonSchema).min(1) }).superRefine((roster, ctx) => {
    const seen = new Set<string>();
    roster.people.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['people', i, 'id'], message: `duplicate person id '${p.id}'` });
      seen.add(p.id);
      p.roles.forEach((role, r) => {
        if (!roles.includes(role))
          ctx.addIssue({
            code: 'custom',
            path: ['people', i, 'roles', r],
            message: `'${role}' is not a role of the runbook in force; accepted: ${roles.join(', ')}`,
          });
      });
    });
  });

/** A roster of the shipped runbook's roles. */
export const RosterSchema = rosterSchema(ROLES);

export type Person = z.infer<typeof PersonSchema>;
export type Roster = z.infer<typeof RosterSchema>;

/**
 * A roster id as a person reads it: the person's name, or `fallback` (default: the id itself) when the roster in
 * force has no such person (they left it, or the id is an integration's). The one lookup of a name.
 */
export function personName(roster: Roster, id: string, fallback: string = id): string {
  return roster.people.find((p) => p.id === id)?.name ?? fallback;
}

export function peopleWithRole(roster: Roster, role: Role): Person[] {
  return roster.people.filter((p) => p.roles.includes(role));
}

/** Parses a roster against the runbook's roles (default: the shipped ones), naming the bad field and what is accepted. */
export function parseRoster(data: unknown, source = 'roster', roles: readonly Role[] = ROLES): Roster {
  const result = rosterSchema(roles).safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${source} is invalid: ${problems}`);
  }
  return result.data;
}
