import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool } from 'pg';
import { seal, unseal, type SecretKeys } from '../../lib/secretKeys';

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

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** What an alert source signs with (HMAC-SHA256 key): the hex SHA-256 of its integration key. Never stored in clear. */
export const signingKeyOf = (secret: string): string => sha256Hex(secret);

/**
 * What the store keeps to recognise a secret: the SHA-256 of its signing key (migration 010). It was the signing key
 * itself, so a copy of the store could sign alerts; from this one the signing key cannot be computed.
 */
export const hashSecret = (secret: string): string => sha256Hex(signingKeyOf(secret));

/** What a sealed signing key is bound to: its own credential (a box copied onto another row does not open). */
const sealContext = (secretHash: string) => `api_credentials.signing_key:${secretHash}`;

/** An integration's signing key sealed with the current secret key, for its row; none without keys (bearer only). */
function sealedSigningKey(kind: CredentialKind, secret: string, keys: SecretKeys | undefined) {
  if (kind !== 'integration' || !keys) return { box: null, keyId: null };
  return seal(keys, signingKeyOf(secret), sealContext(hashSecret(secret)));
}

const rowToCredential = (r: Record<string, unknown>): Credential => ({
  id: Number(r.id),
  kind: r.kind as CredentialKind,
  subject: r.subject as string,
  label: r.label as string,
  createdAt: (r.created_at as Date).toISOString(),
  revokedAt: (r.revoked_at as Date | null)?.toISOString(),
});

/**
 * Creates a credential and returns its secret: shown once, never stored (only its hash is, and for an integration its
 * signing key sealed with `keys`; without keys, an integration's key authenticates as a bearer key only).
 */
export async function createCredential(
  pool: Pool,
  kind: CredentialKind,
  subject: string,
  label = '',
  o: { secret?: string; keys?: SecretKeys } = {},
): Promise<{ credential: Credential; secret: string }> {
  const secret = o.secret ?? SECRET_PREFIX[kind] + randomBytes(32).toString('base64url');
  if (!secret.startsWith(SECRET_PREFIX[kind])) throw new Error(`a ${kind} secret must start with ${SECRET_PREFIX[kind]}`);
  const signing = sealedSigningKey(kind, secret, o.keys);
  const { rows } = await pool.query(
    `INSERT INTO api_credentials (kind, subject, label, secret_hash, signing_key, signing_key_id) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING *`,
    [kind, subject, label, hashSecret(secret), signing.box, signing.keyId],
  );
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

/**
 * The signing keys of an integration's live keys, unsealed with `keys`: what an HMAC signature is checked against.
 * `unusable` names each live key that cannot sign: stored before migration 010 (no sealed signing key: re-issue it,
 * or register it again with the secret key set), or sealed with a key that is not listed or does not open it.
 */
export async function integrationSigningKeys(
  pool: Pool,
  integration: string,
  keys: SecretKeys | undefined,
): Promise<{ usable: { credential: Credential; key: string }[]; unusable: { credentialId: number; why: string }[] }> {
  const { rows } = await pool.query(
    "SELECT * FROM api_credentials WHERE kind = 'integration' AND subject = $1 AND revoked_at IS NULL ORDER BY id",
    [integration],
  );
  const usable: { credential: Credential; key: string }[] = [];
  const unusable: { credentialId: number; why: string }[] = [];
  for (const r of rows) {
    const credentialId = Number(r.id);
    if (!r.signing_key)
      unusable.push({ credentialId, why: 'no signing key stored (issued before migration 010, or without DBOPS_SECRET_KEY)' });
    else if (!keys) unusable.push({ credentialId, why: 'DBOPS_SECRET_KEY is not set, so no signing key can be opened' });
    else {
      try {
        usable.push({
          credential: rowToCredential(r),
          key: unseal(keys, { keyId: r.signing_key_id, box: r.signing_key }, sealContext(r.secret_hash)),
        });
      } catch (err) {
        unusable.push({ credentialId, why: `its signing key ${(err as Error).message}` });
      }
    }
  }
  return { usable, unusable };
}

/**
 * Seals again, with the current key, every signing key sealed with another listed key (after a new key was put first
 * in DBOPS_SECRET_KEY), so the old key can then be dropped. Returns how many were sealed again, and the ids of those
 * that no listed key opens.
 */
export async function rewrapSigningKeys(pool: Pool, keys: SecretKeys): Promise<{ rewrapped: number; unopened: number[] }> {
  const { rows } = await pool.query(
    'SELECT id, secret_hash, signing_key, signing_key_id FROM api_credentials WHERE signing_key IS NOT NULL AND signing_key_id <> $1',
    [keys.current.id],
  );
  const unopened: number[] = [];
  let rewrapped = 0;
  for (const r of rows) {
    let signingKey: string;
    try {
      signingKey = unseal(keys, { keyId: r.signing_key_id, box: r.signing_key }, sealContext(r.secret_hash));
    } catch {
      unopened.push(Number(r.id));
      continue;
    }
    const sealed = seal(keys, signingKey, sealContext(r.secret_hash));
    const updated = await pool.query(
      'UPDATE api_credentials SET signing_key = $2, signing_key_id = $3 WHERE id = $1 AND signing_key_id = $4',
      [r.id, sealed.box, sealed.keyId, r.signing_key_id],
    );
    rewrapped += updated.rowCount ?? 0;
  }
  return { rewrapped, unopened };
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
 * restarting with it in the environment does not bring it back. With `keys`, an integration's key registered
 * without a sealed signing key (before migration 010) gets one: it can sign again.
 */
export async function ensureCredential(
  pool: Pool,
  kind: CredentialKind,
  subject: string,
  secret: string,
  label: string,
  keys?: SecretKeys,
): Promise<'created' | 'present' | 'revoked'> {
  if (!secret.startsWith(SECRET_PREFIX[kind])) throw new Error(`a ${kind} secret must start with ${SECRET_PREFIX[kind]}`);
  const signing = sealedSigningKey(kind, secret, keys);
  const r = await pool.query(
    `INSERT INTO api_credentials (kind, subject, label, secret_hash, signing_key, signing_key_id) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (secret_hash) DO UPDATE SET
       signing_key = coalesce(api_credentials.signing_key, EXCLUDED.signing_key),
       signing_key_id = CASE WHEN api_credentials.signing_key IS NULL THEN EXCLUDED.signing_key_id ELSE api_credentials.signing_key_id END
     RETURNING (xmax = 0) AS created, revoked_at`,
    [kind, subject, label, hashSecret(secret), signing.box, signing.keyId],
  );
  return r.rows[0].created ? 'created' : r.rows[0].revoked_at ? 'revoked' : 'present';
}
