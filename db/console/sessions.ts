import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/** How long a console sign-in lasts (a night's shift and more); signing out or revoking ends it sooner. */
export const SESSION_HOURS = 12;

export interface ConsoleSession {
  person: string;
  signedInBy: 'oidc' | 'token';
  csrfToken: string;
  expiresAt: string;
}

const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const randomSecret = () => randomBytes(32).toString('base64url');

/** A new session for `person`; returns the cookie's secret (never stored: only its hash is). */
export async function createSession(
  pool: Pool,
  person: string,
  signedInBy: ConsoleSession['signedInBy'],
  credentialId?: number,
): Promise<{ secret: string; session: ConsoleSession }> {
  const secret = randomSecret();
  const { rows } = await pool.query(
    `INSERT INTO console_sessions (id_hash, person, signed_in_by, credential_id, csrf_token, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6)) RETURNING expires_at, csrf_token`,
    [hashOf(secret), person, signedInBy, credentialId ?? null, randomSecret(), SESSION_HOURS],
  );
  return { secret, session: { person, signedInBy, csrfToken: rows[0].csrf_token, expiresAt: rows[0].expires_at.toISOString() } };
}

/**
 * The live session a cookie's secret names: not expired, not revoked, and for a personal-token sign-in, its token not
 * revoked either (revoking a token ends the sessions made with it).
 */
export async function findSession(pool: Pool, secret: string): Promise<ConsoleSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  const { rows } = await pool.query(
    `SELECT s.person, s.signed_in_by, s.csrf_token, s.expires_at FROM console_sessions s
     LEFT JOIN api_credentials c ON c.id = s.credential_id
     WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND c.revoked_at IS NULL`,
    [hashOf(secret)],
  );
  const r = rows[0];
  return r && { person: r.person, signedInBy: r.signed_in_by, csrfToken: r.csrf_token, expiresAt: r.expires_at.toISOString() };
}

/** Signing out: the session named by the cookie's secret ends now. */
export async function revokeSession(pool: Pool, secret: string): Promise<void> {
  await pool.query('UPDATE console_sessions SET revoked_at = now() WHERE id_hash = $1 AND revoked_at IS NULL', [hashOf(secret)]);
}

/** Every live session of a person ends now (an admin's revocation: a lost phone, someone leaving); how many ended. */
export async function revokeSessionsOf(pool: Pool, person: string): Promise<number> {
  const { rowCount } = await pool.query('UPDATE console_sessions SET revoked_at = now() WHERE person = $1 AND revoked_at IS NULL', [
    person,
  ]);
  return rowCount ?? 0;
}

/** An OpenID Connect sign-in starting: its state (for the browser's cookie) and what the callback will need. */
export async function saveSignInAttempt(pool: Pool, a: { state: string; codeVerifier: string; nonce: string; returnTo: string }) {
  await pool.query('INSERT INTO console_sign_in_attempts (state_hash, code_verifier, nonce, return_to) VALUES ($1, $2, $3, $4)', [
    hashOf(a.state),
    a.codeVerifier,
    a.nonce,
    a.returnTo,
  ]);
}

/** The attempt a state names, taken once (deleted as it is read); none if unknown or older than ten minutes. */
export async function takeSignInAttempt(
  pool: Pool,
  state: string,
): Promise<{ codeVerifier: string; nonce: string; returnTo: string } | undefined> {
  const { rows } = await pool.query(
    `DELETE FROM console_sign_in_attempts WHERE state_hash = $1 RETURNING code_verifier, nonce, return_to,
       created_at > now() - interval '10 minutes' AS fresh`,
    [hashOf(state)],
  );
  const r = rows[0];
  return r?.fresh ? { codeVerifier: r.code_verifier, nonce: r.nonce, returnTo: r.return_to } : undefined;
}
