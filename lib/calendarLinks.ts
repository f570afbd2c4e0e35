import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SecretKeys } from './secretKeys';

/**
 * Calendar feed URLs, which a calendar application fetches without a token. `sig` is `<key id>.<generation>.<mac>`:
 * an HMAC-SHA256 of the feed's subject and generation under a key derived (HKDF) from a DBOPS_SECRET_KEY key. A URL
 * stops working when its feed is revoked (the generation moves on: `dbops oncall calendar … --revoke`), or when its key
 * is no longer listed in DBOPS_SECRET_KEY (every feed at once). See docs/oncall.md.
 */
export interface FeedRef {
  kind: 'person' | 'role';
  id: string;
}

const b64 = (b: Buffer) => b.toString('base64url');
const feedKey = (key: Buffer) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'dbops-calendar-feed.v1', 32));
const macOf = (key: Buffer, ref: FeedRef, generation: number) =>
  createHmac('sha256', feedKey(key)).update(`${ref.kind}\n${ref.id}\n${generation}`).digest();

/** The `sig` of a feed's current generation, signed with the current key. */
export function signFeed(keys: SecretKeys, ref: FeedRef, generation: number): string {
  return `${keys.current.id}.${generation}.${b64(macOf(keys.current.key, ref, generation))}`;
}

/** The feed's path and query, under the API's public URL. */
export const feedPath = (ref: FeedRef, sig: string) =>
  `/calendar/${ref.kind}/${encodeURIComponent(ref.id)}.ics?sig=${encodeURIComponent(sig)}`;

const FIX = 'get the URL again with `dbops oncall calendar`';

/**
 * The generation a feed URL was signed for, or why it is refused (in words for whoever opens it). Checked without
 * the store, so a URL nobody signed costs no query; the caller then compares the generation with the feed's.
 */
export function verifyFeedSig(keys: SecretKeys, ref: FeedRef, sig: string | undefined): { generation: number } | { refusal: string } {
  if (!sig) return { refusal: `this calendar URL has no sig: a calendar feed is opened by its signed URL only; ${FIX}` };
  const m = /^([A-Za-z0-9_-]{1,32})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(sig);
  if (!m) return { refusal: `sig is not a calendar signature ('<key id>.<generation>.<43 base64url characters>'); ${FIX}` };
  const key = keys.byId.get(m[1]);
  if (!key) return { refusal: `sig was made with key '${m[1]}', which is no longer listed: this URL was revoked; ${FIX}` };
  const generation = Number(m[2]);
  const given = Buffer.from(m[3], 'base64url');
  const expected = macOf(key, ref, generation);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { refusal: `sig does not match ${ref.kind} '${ref.id}': the URL was altered or is another feed's; ${FIX}` };
  return { generation };
}

/** The refusal of a well-signed URL of an earlier generation: its feed was revoked since. */
export const revokedFeed = (revoked?: { by: string; at: string }) =>
  `this calendar URL was revoked${revoked ? ` by ${revoked.by} at ${revoked.at}` : ''}; ${FIX}`;
