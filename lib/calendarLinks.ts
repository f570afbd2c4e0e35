import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { SecretKeys } from './secretKeys';

/**
 * Calendar feed URLs, which a calendar application fetches without a token: `sig` is an HMAC-SHA256 of the feed's
 * subject under a key derived (HKDF) from a DBOPS_SECRET_KEY key, with that key's id in front, so a URL works while
 * its key is listed. Revoking: list a new key first (new URLs are signed with it), then drop the old key from the
 * list: every URL signed with it is refused from then on (see docs/oncall.md).
 */
export interface FeedRef {
  kind: 'person' | 'role';
  id: string;
}

const b64 = (b: Buffer) => b.toString('base64url');
const feedKey = (key: Buffer) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'dbops-calendar-feed.v1', 32));
const macOf = (key: Buffer, ref: FeedRef) => createHmac('sha256', feedKey(key)).update(`${ref.kind}\n${ref.id}`).digest();

/** The `sig` of a feed, signed with the current key. */
export function signFeed(keys: SecretKeys, ref: FeedRef): string {
  return `${keys.current.id}.${b64(macOf(keys.current.key, ref))}`;
}

/** The feed's path and query, under the API's public URL. */
export const feedPath = (ref: FeedRef, sig: string) =>
  `/calendar/${ref.kind}/${encodeURIComponent(ref.id)}.ics?sig=${encodeURIComponent(sig)}`;

/** Why a feed URL is refused, in words for whoever opens it, or undefined when its signature is good. */
export function feedRefusal(keys: SecretKeys, ref: FeedRef, sig: string | undefined): string | undefined {
  const fix = 'get the URL again with `dbops oncall calendar`';
  if (!sig) return `this calendar URL has no sig: a calendar feed is opened by its signed URL only; ${fix}`;
  const m = /^([A-Za-z0-9._-]{1,32})\.([A-Za-z0-9_-]{43})$/.exec(sig);
  if (!m) return `sig is not a calendar signature ('<key id>.<43 base64url characters>'); ${fix}`;
  const key = keys.byId.get(m[1]);
  if (!key) return `sig was made with key '${m[1]}', which is no longer listed: this URL was revoked; ${fix}`;
  const given = Buffer.from(m[2], 'base64url');
  const expected = macOf(key, ref);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return `sig does not match ${ref.kind} '${ref.id}': the URL was altered or is another feed's; ${fix}`;
  return undefined;
}
