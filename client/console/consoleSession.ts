import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Pool } from 'pg';
import { findSession, SESSION_HOURS, type ConsoleSession } from '../../db/console/sessions';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { Person } from '../../runbooks/roster';

export const SESSION_COOKIE = 'dbops_console';

/** Who is signed in, for a page: their session (with its CSRF token) and their person in the roster in force. */
export interface SignedIn {
  session: ConsoleSession;
  person: Person;
  rosterVersion: string;
  secret: string;
}

export type ConsoleEnv = { Variables: { signedIn: SignedIn } };

/** Whether the request came over TLS (directly, or to the public URL configured as https). */
export const overTls = (c: Context, publicUrl?: string) => new URL(c.req.url).protocol === 'https:' || !!publicUrl?.startsWith('https:');

/** The console's own origin: where its forms must come from. */
export const ownOrigin = (c: Context, publicUrl?: string) => (publicUrl ? new URL(publicUrl).origin : new URL(c.req.url).origin);

/** A cookie only the server reads (HttpOnly), sent on top-level navigations from elsewhere (Lax: the provider's redirect back) and never on their POSTs, Secure over TLS. */
export function setHttpOnlyCookie(c: Context, name: string, value: string, maxAgeSeconds: number, publicUrl?: string) {
  setCookie(c, name, value, { httpOnly: true, sameSite: 'Lax', secure: overTls(c, publicUrl), path: '/', maxAge: maxAgeSeconds });
}

export const setSessionCookie = (c: Context, secret: string, publicUrl?: string) =>
  setHttpOnlyCookie(c, SESSION_COOKIE, secret, SESSION_HOURS * 3600, publicUrl);

export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: '/' });

/**
 * Every console page but sign-in: a live session (not expired, signed out or revoked) of a person on the roster in
 * force; otherwise a page asks to sign in (a browser's GET is sent there, remembering where it was going).
 */
export function requireSignIn(pool: Pool, roster: () => RosterInForce): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const secret = getCookie(c, SESSION_COOKIE);
    const session = secret ? await findSession(pool, secret) : undefined;
    const { roster: people, version } = roster();
    const person = session && people.people.find((p) => p.id === session.person);
    if (!session || !person || !secret) {
      if (secret) clearSessionCookie(c);
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `?return=${encodeURIComponent(url.pathname + url.search)}` : '';
      const why = session && !person ? `&why=${encodeURIComponent('not-on-roster')}` : '';
      return c.redirect(`/console/sign-in${back}${back ? why : why.replace('&', '?')}`, 303);
    }
    c.set('signedIn', { session, person, rosterVersion: version, secret });
    await next();
  };
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Why a form's POST is refused as a forgery, or undefined: it must come from the console's own origin (the Origin
 * header, or the Referer when a browser sends no Origin; neither: refused) and carry the synchronizer token `expected`.
 */
export function forgeryOf(c: Context, formToken: unknown, expected: string, publicUrl?: string): string | undefined {
  const own = ownOrigin(c, publicUrl);
  const origin = c.req.header('origin');
  const referer = c.req.header('referer');
  const from = origin && origin !== 'null' ? origin : referer ? safeOrigin(referer) : undefined;
  if (from !== own) return `the form came from ${from ?? 'an unknown origin'}, not from ${own}`;
  if (typeof formToken !== 'string' || !formToken) return 'the form carries no CSRF token';
  if (!sameText(formToken, expected)) return 'the form’s CSRF token is not this session’s';
  return undefined;
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
