import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCredential, revokeCredential } from '../../db/credentials/credentials';
import { writeRoster } from '../support/api';
import { apiSuite } from '../support/api';
import { roster } from '../support/harness';
import { testCertificate } from '../support/testCertificate';

interface Answer {
  status: number;
  location?: string;
  cookies: string[];
  body: string;
}

/**
 * The console's sessions over HTTPS with a real HTTP client (no browser): the cookie's attributes, a personal-token
 * sign-in, and the ways a session ends on the server (a revoked token, a person taken off the roster). The browser
 * test (consoleInBrowser) covers the OpenID Provider, sign-out and the pages.
 */
describe('console sessions over TLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-console-tls-'));
  const certificate = testCertificate(dir, 'console');
  const suite = apiSuite('console-sessions', () => ({ tls: { cert: certificate.certFile, key: certificate.keyFile } }));
  let origin = '';
  beforeAll(() => {
    origin = suite.api.url;
  });

  const request = (method: 'GET' | 'POST', pathname: string, o: { cookie?: string; form?: Record<string, string>; origin?: string } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
      const req = https.request(
        `${origin}${pathname}`,
        {
          method,
          ca: certificate.cert,
          headers: {
            ...(o.cookie && { cookie: o.cookie }),
            ...(body && { 'content-type': 'application/x-www-form-urlencoded', origin: o.origin ?? origin }),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            resolve({ status: res.statusCode!, location: res.headers.location, cookies: res.headers['set-cookie'] ?? [], body: text }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const cookieValue = (a: Answer, name: string) => a.cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0];

  /** The sign-in page's form token (cookie and hidden field), then the token posted with it: the answer. */
  const signIn = async (token: string, o: { origin?: string } = {}) => {
    const page = await request('GET', '/console/sign-in');
    const formCookie = cookieValue(page, 'dbops_sign_in')!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1];
    return request('POST', '/console/sign-in/token', { cookie: formCookie, form: { csrf, token, return: '/console/oncall' }, ...o });
  };

  it('a personal token signs in; the session cookie is HttpOnly, Secure and SameSite=Lax, and opens the pages', async () => {
    const answer = await signIn(await suite.api.tokenOf('dana'));
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/console/oncall');
    const set = answer.cookies.find((c) => c.startsWith('dbops_console='))!;
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; Secure/);
    expect(set).toMatch(/; SameSite=Lax/);
    const page = await request('GET', '/console/oncall', { cookie: cookieValue(answer, 'dbops_console') });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Dana Ortiz');
    expect(page.body).toContain('Oscar Kim'); // who holds on-call-engineer, by name
    // The store keeps the cookie's hash, never the cookie.
    const { rows } = await suite.db.pool.query("SELECT id_hash FROM console_sessions WHERE person = 'dana'");
    expect(rows.map((r) => r.id_hash)).not.toContain(cookieValue(answer, 'dbops_console')!.split('=')[1]);
  });

  it('refuses an unknown token, and a sign-in form posted from another origin; no session is made', async () => {
    const before = (await suite.db.pool.query('SELECT count(*)::int AS n FROM console_sessions')).rows[0].n;
    const wrong = await signIn('dbops_pat_not-a-real-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('That personal token is not valid');
    const forged = await signIn(await suite.api.tokenOf('dana'), { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('the form came from https://evil.example');
    for (const a of [wrong, forged]) expect(cookieValue(a, 'dbops_console')).toBeUndefined();
    expect((await suite.db.pool.query('SELECT count(*)::int AS n FROM console_sessions')).rows[0].n).toBe(before);
  });

  it('revoking the token ends the sessions made with it', async () => {
    const { credential, secret } = await createCredential(suite.db.pool, 'person', 'erin');
    const cookie = cookieValue(await signIn(secret), 'dbops_console');
    expect((await request('GET', '/', { cookie })).status).toBe(200);
    await revokeCredential(suite.db.pool, credential.id);
    const after = await request('GET', '/', { cookie });
    expect(after.status).toBe(303);
    expect(after.location).toBe('/console/sign-in?return=%2F');
  });

  it('a person taken off the roster is signed out on their next page', async () => {
    const cookie = cookieValue(await signIn(await suite.api.tokenOf('bea')), 'dbops_console');
    expect((await request('GET', '/console/checklists', { cookie })).status).toBe(200);
    writeRoster(suite.api.rosterFile, { people: roster.people.filter((p) => p.id !== 'bea') });
    const after = await request('GET', '/console/checklists', { cookie });
    expect(after.status).toBe(303);
    expect(after.location).toContain('why=not-on-roster');
    writeRoster(suite.api.rosterFile, { people: roster.people });
  });
});
