import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { personOfIdentity } from '../../client/console/personOfIdentity';
import { loadRoster } from '../../lib/roster';

const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));

describe('the console’s sign-in: a provider’s identity to a roster person', () => {
  it('by verified e-mail, without case', () => {
    expect(personOfIdentity(roster, { sub: 'x1', email: 'OnCall@PenguinMails.com', email_verified: true }, 'email')).toMatchObject({
      id: 'oscar',
    });
  });

  it('refuses an e-mail the provider has not verified, one nobody has, or none', () => {
    expect(personOfIdentity(roster, { sub: 'x1', email: 'oncall@penguinmails.com', email_verified: false }, 'email')).toMatch(
      /not verified/,
    );
    expect(personOfIdentity(roster, { sub: 'x1', email: 'eve@example.com', email_verified: true }, 'email')).toMatch(
      /no one on the roster/,
    );
    expect(personOfIdentity(roster, { sub: 'oscar' }, 'email')).toMatch(/no e-mail address/);
  });

  it('refuses an e-mail two people share: neither is signed in as the other', () => {
    const shared = { people: roster.people.map((p) => (p.id === 'erin' ? { ...p, channels: { email: 'oncall@penguinmails.com' } } : p)) };
    expect(personOfIdentity(shared, { sub: 'x', email: 'oncall@penguinmails.com', email_verified: true }, 'email')).toMatch(/2 people/);
  });

  it('by subject equal to a roster id, when configured so', () => {
    expect(personOfIdentity(roster, { sub: 'dana' }, 'subject')).toMatchObject({ id: 'dana' });
    expect(personOfIdentity(roster, { sub: 'DANA' }, 'subject')).toMatch(/no one on the roster has the id/);
  });
});
