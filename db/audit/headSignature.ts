import crypto from 'node:crypto';
import type { SecretKeys } from '../../lib/secretKeys';

/**
 * An incident's chain head (its event count and last hash) signed with the current secret key, which the audit store
 * never holds: `<key id>:<hex HMAC-SHA256>`. A copy of the store can recompute every hash, not this.
 */
export function signHead(keys: SecretKeys, incidentId: string, eventCount: number, lastHash: string): string {
  return `${keys.current.id}:${hmac(keys.current.key, incidentId, eventCount, lastHash)}`;
}

/** Why the anchor's signature does not hold, or undefined when it does. */
export function headSignatureProblem(
  keys: SecretKeys,
  incidentId: string,
  anchor: { eventCount: number; lastHash: string | null; signature: string | null },
): string | undefined {
  if (!anchor.signature)
    return 'the anchor on its incidents row is not signed (written before heads were signed, or its signature removed)';
  const [keyId, mac] = anchor.signature.split(':');
  const key = keys.byId.get(keyId ?? '');
  if (!key) return `the anchor is signed with key '${keyId}', which is not among DBOPS_SECRET_KEY's keys`;
  const expected = hmac(key, incidentId, anchor.eventCount, anchor.lastHash ?? '');
  const same = mac?.length === expected.length && crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected));
  return same ? undefined : 'the anchor on its incidents row does not carry its signature: the chain head was rewritten';
}

function hmac(key: Buffer, incidentId: string, eventCount: number, lastHash: string): string {
  return crypto.createHmac('sha256', key).update(`dbops-chain-head\n${incidentId}\n${eventCount}\n${lastHash}`).digest('hex');
}
