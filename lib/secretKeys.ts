import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Keys the audit store never holds (DBOPS_SECRET_KEY, or DBOPS_SECRET_KEY_FILE): the secrets the store must keep
 * recoverable, such as the integrations' signing keys, are kept in it sealed with one of them (AES-256-GCM), so a copy
 * of the store alone signs nothing. Each key has an id, stored beside what it sealed: a new key is listed first and
 * seals from then on, the old ones still open what they sealed until it is sealed again (rewrapSigningKeys at the
 * API's start).
 */
export interface SecretKeys {
  /** The key that seals. */
  current: { id: string; key: Buffer };
  /** Every listed key by its id, the current one included: each opens what it sealed. */
  byId: ReadonlyMap<string, Buffer>;
}

/** What a key sealed: the key's id, and base64 of IV (12 bytes), GCM tag (16 bytes) and ciphertext. */
export interface Sealed {
  keyId: string;
  box: string;
}

export const SECRET_KEY_FORMAT =
  '<id>:<key>, several separated by commas or lines (the first seals, every one opens); the id 1 to 32 letters, digits, ' +
  '. _ -; the key 32 random bytes as 64 hex digits or base64 (e.g. 2026-01:$(openssl rand -base64 32))';

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** The keys in `text`, or an Error naming `source` and what is wrong; it never repeats a key's bytes. */
export function parseSecretKeys(text: string, source: string): SecretKeys {
  const entries = text
    .split(/\r?\n|,/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (!entries.length) throw new Error(`${source}: no key; expected ${SECRET_KEY_FORMAT}`);
  const byId = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new Error(`${source}: key ${index + 1} has no valid id; expected ${SECRET_KEY_FORMAT}`);
    if (byId.has(id)) throw new Error(`${source}: key id '${id}' is listed twice; each key needs an id of its own`);
    const key = keyBytes(entry.slice(colon + 1));
    if (!key) throw new Error(`${source}: key '${id}' is not 32 bytes as 64 hex digits or base64; expected ${SECRET_KEY_FORMAT}`);
    byId.set(id, key);
  });
  const [id, key] = byId.entries().next().value!;
  return { current: { id, key }, byId };
}

function keyBytes(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length === 32 ? key : undefined;
}

/** `plaintext` sealed with the current key, bound to `context` (what it belongs to: a box moved elsewhere does not open). */
export function seal(keys: SecretKeys, plaintext: string, context: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv).setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: keys.current.id, box: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64') };
}

/** What `sealed` holds, or an Error saying why it does not open (a key id not listed, another key, another context). */
export function unseal(keys: SecretKeys, sealed: Sealed, context: string): string {
  const key = keys.byId.get(sealed.keyId);
  if (!key) throw new Error(`sealed with key '${sealed.keyId}', which is not listed (listed: ${[...keys.byId.keys()].join(', ')})`);
  const bytes = Buffer.from(sealed.box, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12))
      .setAAD(Buffer.from(context, 'utf8'))
      .setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`does not open with key '${sealed.keyId}' (another key under that id, or the stored value was altered)`);
  }
}
