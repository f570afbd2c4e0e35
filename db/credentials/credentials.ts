import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';

export type CredentialKind = 'person' | 'integration';

/** Secrets carry a prefix that says what they are, so one pasted in the wrong place (or leaked) is recognisable. */
export const SECRET_PREFIX: Record<CredentialKind, string> = { person: 'dbops_pat_', integration: 'dbops_key_' };

export interface Credential {
  id: number;
  kind: CredentialKind;
  /** The roster id of a person, or the name of an integration. */
  subject: string;
  label: string;
  createdAt: string;
  revokedAt?: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

const rowToCredential = (r: Record<string, unknown>): Credential => ({
  id: Number(r.id),
  kind: r.kind as CredentialKind,
  subject: r.subject as string,
  label: r.label as string,
  createdAt: (r.created_at as Date).toISOString(),
  revokedAt: (r.revoked_at as Date | null)?.toISOString(),
});

/** Creates a credential and returns its secret: shown once, never stored (only its hash is). */
export async function createCredential(
  pool: Pool,
  kind: CredentialKind,
  subject: string,
  label = '',
  secret = SECRET_PREFIX[kind] + randomBytes(32).toString('base64url'),
): Promise<{ credential: Credential; secret: string }> {
  if (!secret.startsWith(SECRET_PREFIX[kind])) throw new Error(`a ${kind} secret must start with ${SECRET_PREFIX[kind]}`);
  const { rows } = await pool.query('INSERT INTO api_credentials (kind, subject, label, secret_hash) VALUES ($1, $2, $3, $4) RETURNING *', [
    kind,
    subject,
    label,
    hashSecret(secret),
  ]);
  return { credential: rowToCredential(rows[0]), secret };
}

/**
 * The live credential a secret belongs to, or undefined (unknown, revoked, or of another kind). The lookup is by
 * hash; the stored hash is compared again in constant time so no code path compares secrets byte by byte.
 */
export async function authenticateSecret(pool: Pool, kind: CredentialKind, secret: string): Promise<Credential | undefined> {
  if (!secret.startsWith(SECRET_PREFIX[kind])) return undefined;
  const hash = hashSecret(secret);
  const { rows } = await pool.query('SELECT * FROM api_credentials WHERE secret_hash = $1 AND kind = $2 AND revoked_at IS NULL', [
    hash,
    kind,
  ]);
  if (!rows.length || !timingSafeEqual(Buffer.from(rows[0].secret_hash), Buffer.from(hash))) return undefined;
  return rowToCredential(rows[0]);
}

/** The signing keys (stored hashes) of an integration's live keys: what an HMAC signature is checked against. */
export async function integrationSigningKeys(pool: Pool, integration: string): Promise<{ credential: Credential; key: string }[]> {
  const { rows } = await pool.query(
    "SELECT * FROM api_credentials WHERE kind = 'integration' AND subject = $1 AND revoked_at IS NULL ORDER BY id",
    [integration],
  );
  return rows.map((r) => ({ credential: rowToCredential(r), key: r.secret_hash as string }));
}

export async function listCredentials(pool: Pool, kind?: CredentialKind): Promise<Credential[]> {
  const { rows } = await pool.query('SELECT * FROM api_credentials WHERE $1::text IS NULL OR kind = $1 ORDER BY id', [kind ?? null]);
  return rows.map(rowToCredential);
}

/** Revokes one credential by id (of the kind given); false when there is no live one with that id. */
export async function revokeCredential(pool: Pool, id: number, kind?: CredentialKind): Promise<boolean> {
  const r = await pool.query(
    'UPDATE api_credentials SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR kind = $2)',
    [id, kind ?? null],
  );
  return r.rowCount === 1;
}

/** Records a signature as used; false when it was already seen (a replay). Forgets signatures past their window. */
export async function claimSignature(pool: Pool, signature: string, windowSeconds: number): Promise<boolean> {
  await pool.query(`DELETE FROM intake_signatures WHERE seen_at < now() - make_interval(secs => $1)`, [windowSeconds * 2]);
  const r = await pool.query('INSERT INTO intake_signatures (signature) VALUES ($1) ON CONFLICT DO NOTHING', [signature]);
  return r.rowCount === 1;
}

/** Forgets a claimed signature: the request it signed failed, and the sender may send the same request again. */
export async function releaseSignature(pool: Pool, signature: string): Promise<void> {
  await pool.query('DELETE FROM intake_signatures WHERE signature = $1', [signature]);
}

/**
 * Registers a secret given in configuration (DBOPS_INTAKE_KEY) once. A secret that was revoked stays revoked:
 * restarting with it in the environment does not bring it back.
 */
export async function ensureCredential(
  pool: Pool,
  kind: CredentialKind,
  subject: string,
  secret: string,
  label: string,
): Promise<'created' | 'present' | 'revoked'> {
  if (!secret.startsWith(SECRET_PREFIX[kind])) throw new Error(`a ${kind} secret must start with ${SECRET_PREFIX[kind]}`);
  const r = await pool.query(
    `INSERT INTO api_credentials (kind, subject, label, secret_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (secret_hash) DO UPDATE SET secret_hash = EXCLUDED.secret_hash RETURNING (xmax = 0) AS created, revoked_at`,
    [kind, subject, label, hashSecret(secret)],
  );
  return r.rows[0].created ? 'created' : r.rows[0].revoked_at ? 'revoked' : 'present';
}
