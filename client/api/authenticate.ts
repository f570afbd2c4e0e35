import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Pool } from 'pg';
import { authenticateSecret, claimSignature, integrationSigningKeys, releaseSignature } from '../../db/credentials/credentials';
import { BODY_SIGNATURE_HEADERS, signBody } from '../../lib/bodySignature';
import type { Logger } from '../../lib/logger';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { SecretKeys } from '../../lib/secretKeys';
import type { Role } from '../../runbooks/types';
import type { createRateLimiter } from './rateLimiter';
import type { createRefusalLog } from './refusalLog';

/** Who is calling, as established by their credential (never by anything the body says). */
export type Caller =
  | { kind: 'integration'; name: string; credentialId: number }
  | { kind: 'person'; id: string; roles: Role[]; rosterVersion: string; credentialId: number };

export type ApiEnv = { Variables: { caller: Caller; receivedAt: Date; claimedSignature?: string } };

/**
 * Stamps when a request arrived, before anything reads its body: an incident's clocks start there, so the stamp is on
 * the clock the incident's workflow reads (`temporalClock`: a time-skipping test server's, whose time runs ahead of
 * this process's after a skip; the real server's is this machine's).
 */
export const stampReceivedAt =
  (deps: Pick<AuthDeps, 'temporalClock'>): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    c.set('receivedAt', new Date(deps.temporalClock ? await deps.temporalClock() : Date.now()));
    await next();
  };

export interface AuthDeps {
  pool: Pool;
  roster: () => RosterInForce;
  limiter: ReturnType<typeof createRateLimiter>;
  refusals: ReturnType<typeof createRefusalLog>;
  log: Logger;
  now?: () => number;
  /** The Temporal server's time, where it is not this machine's (a time-skipping test server); default Date.now. */
  temporalClock?: () => number | Promise<number>;
  /** DBOPS_SECRET_KEY: opens the integrations' sealed signing keys; without it, signed requests are refused. */
  secretKeys?: SecretKeys;
}

/** A signed alert is accepted within this many seconds of its timestamp, once. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export const SIGNATURE_HEADERS = { integration: 'x-dbops-integration', ...BODY_SIGNATURE_HEADERS } as const;

const bearerOf = (c: Context) => /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];

function unauthorised(c: Context, deps: AuthDeps, reason: string) {
  deps.refusals.refused(reason, c.req.path);
  c.header('WWW-Authenticate', 'Bearer realm="dbops"');
  return c.json({ error: `${reason}; nothing was started or recorded` }, 401);
}

function limited(c: Context, deps: AuthDeps, key: string) {
  const wait = deps.limiter.take(key);
  if (!wait) return undefined;
  c.header('Retry-After', String(wait));
  return c.json({ error: `rate limit reached for this credential; retry after ${wait} s (nothing was started)` }, 429);
}

/**
 * POST /alerts (and the monitoring formats): an integration key as a bearer token, or an HMAC signature of timestamp
 * and body. `keyInBody`: the key may come as this field of a JSON body instead (PagerDuty's routing_key, which is how
 * Alertmanager's pagerduty_configs and most tools send it), refused and rate-limited exactly like a bearer key.
 */
export function integrationAuth(deps: AuthDeps, opts: { keyInBody?: string } = {}): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const caller =
      opts.keyInBody && !c.req.header('authorization') ? await integrationOfBody(c, deps, opts.keyInBody) : await integrationOf(c, deps);
    if (typeof caller === 'string') return unauthorised(c, deps, caller);
    const refused = limited(c, deps, `integration:${caller.credentialId}`);
    if (refused) return refused;
    c.set('caller', caller);
    await next();
  };
}

async function integrationOfBody(c: Context, deps: AuthDeps, field: string): Promise<Caller | string> {
  let key: unknown;
  try {
    key = (JSON.parse(await c.req.text()) as Record<string, unknown> | null)?.[field];
  } catch {
    key = undefined;
  }
  if (typeof key !== 'string' || !key)
    return `no credential: send the integration key as ${field} in a JSON body, or Authorization: Bearer <key>`;
  const credential = await authenticateSecret(deps.pool, 'integration', key);
  return credential
    ? { kind: 'integration', name: credential.subject, credentialId: credential.id }
    : `the integration key (${field}) is not valid`;
}

async function integrationOf(c: Context<ApiEnv>, deps: AuthDeps): Promise<Caller | string> {
  const bearer = bearerOf(c);
  if (bearer) {
    const credential = await authenticateSecret(deps.pool, 'integration', bearer);
    return credential ? { kind: 'integration', name: credential.subject, credentialId: credential.id } : 'the integration key is not valid';
  }
  const signature = c.req.header(SIGNATURE_HEADERS.signature);
  if (!signature) return 'no credential: send Authorization: Bearer <integration key>, or an X-Dbops-Signature';
  const integration = c.req.header(SIGNATURE_HEADERS.integration) ?? '';
  const timestamp = c.req.header(SIGNATURE_HEADERS.timestamp) ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) return `${SIGNATURE_HEADERS.timestamp} must be the signing time in Unix seconds`;
  const age = Math.abs((deps.now ?? Date.now)() / 1000 - Number(timestamp));
  if (age > SIGNATURE_WINDOW_SECONDS) return `the signature's timestamp is outside the ${SIGNATURE_WINDOW_SECONDS} s window`;
  const body = await c.req.text();
  // An alert source signs with the hex SHA-256 of its key, which the store keeps only sealed with DBOPS_SECRET_KEY.
  const { usable, unusable } = await integrationSigningKeys(deps.pool, integration, deps.secretKeys);
  for (const { credential, key } of usable) {
    const expected = Buffer.from(signBody(key, timestamp, body));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) continue;
    if (!(await claimSignature(deps.pool, signature, SIGNATURE_WINDOW_SECONDS))) return 'this signature was already used (a replay)';
    c.set('claimedSignature', signature);
    return { kind: 'integration', name: credential.subject, credentialId: credential.id };
  }
  const cannotSign = unusable.map((u) => `key ${u.credentialId}: ${u.why}`).join('; ');
  return `the signature does not match a live signing key of that integration${cannotSign ? ` (keys that cannot sign: ${cannotSign})` : ''}`;
}

/**
 * Before integrationAuth: a signed request that fails (5xx: its deadline passed, or Temporal failed) gives its
 * signature back, so the sender sending the same request again is not refused as a replay. Given back after the
 * 503 is decided, on the pool outside any deadline, not awaited: a store that is down must not hold the answer.
 */
export function signatureBackOnFailure(deps: AuthDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    await next();
    const signature = c.get('claimedSignature');
    if (!signature || c.res.status < 500) return;
    void releaseSignature(deps.pool, signature).catch((err: Error) =>
      deps.log.warn({ err: err.message }, 'a failed signed request kept its signature: the same request sent again is refused as a replay'),
    );
  };
}

/**
 * Everything a person does: a personal token as a bearer token. Their roles come from the roster in force now, so
 * a person removed from the roster file is refused on their next request, whatever incident they act on.
 */
export function personAuth(deps: AuthDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const bearer = bearerOf(c);
    if (!bearer) return unauthorised(c, deps, 'no credential: send Authorization: Bearer <personal token> (dbops token create)');
    const credential = await authenticateSecret(deps.pool, 'person', bearer);
    if (!credential) return unauthorised(c, deps, 'the personal token is not valid (unknown or revoked)');
    const refused = limited(c, deps, `person:${credential.id}`);
    if (refused) return refused;
    const { roster, version } = deps.roster();
    const person = roster.people.find((p) => p.id === credential.subject);
    if (!person) {
      deps.log.warn({ person: credential.subject, rosterVersion: version }, 'a token of a person not on the roster was refused');
      return c.json({ error: `'${credential.subject}' is not on the roster in force (version ${version}); nothing was changed` }, 403);
    }
    c.set('caller', { kind: 'person', id: person.id, roles: person.roles, rosterVersion: version, credentialId: credential.id });
    await next();
  };
}

/** The integration a request on an alert route was authenticated as (those routes take integration keys only). */
export function callingIntegration(c: Context<ApiEnv>): string {
  const caller = c.get('caller');
  if (caller.kind !== 'integration') throw new Error(`unreachable: ${c.req.path} authenticates integrations`);
  return caller.name;
}
