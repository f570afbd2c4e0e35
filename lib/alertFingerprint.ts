import { createHash } from 'node:crypto';
import { TEXT_LIMITS } from '../runbooks/limits';

const FINGERPRINT = new RegExp(`^[A-Za-z0-9._:-]{1,${TEXT_LIMITS.fingerprint}}$`);
const HASH_DIGITS = 16;

/**
 * A dbops fingerprint for any key a monitoring tool sends (a PagerDuty dedup_key is any text up to 255 characters;
 * a fingerprint is 1 to 120 of letters, digits, . _ : -). A key that already is one is kept as it is; any other
 * becomes a readable prefix (its allowed characters, others as '-') and 16 hex digits of its SHA-256, so the same
 * key always gives the same fingerprint and two keys with one prefix do not collide.
 */
export function fingerprintOfKey(key: string): string {
  if (FINGERPRINT.test(key)) return key;
  const readable = key
    .replace(/[^A-Za-z0-9._:-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, TEXT_LIMITS.fingerprint - HASH_DIGITS - 1);
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, HASH_DIGITS);
  return readable ? `${readable}-${hash}` : hash;
}
