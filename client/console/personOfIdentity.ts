import type { Person, Roster } from '../../runbooks/roster';

/** What the console reads of an ID token's claims. */
export interface IdentityClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
}

/**
 * The roster person a signed-in identity is: by its e-mail (only when the provider says it is verified; compared
 * without case) against each person's e-mail channel, or by its subject equal to a roster id. A string says why none.
 */
export function personOfIdentity(roster: Roster, claims: IdentityClaims, match: 'email' | 'subject'): Person | string {
  if (match === 'subject') {
    return roster.people.find((p) => p.id === claims.sub) ?? `no one on the roster has the id '${claims.sub}' (the provider's subject)`;
  }
  if (typeof claims.email !== 'string' || !claims.email) return 'the provider sent no e-mail address for this account';
  if (claims.email_verified !== true) return `the provider has not verified the e-mail address ${claims.email}`;
  const email = claims.email.toLowerCase();
  const found = roster.people.filter((p) => p.channels.email?.toLowerCase() === email);
  if (found.length === 1) return found[0];
  return found.length
    ? `${found.length} people on the roster share the e-mail address ${claims.email}; give each their own`
    : `no one on the roster has the e-mail address ${claims.email}`;
}
