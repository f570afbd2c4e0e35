import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCredential, ensureCredential, rewrapSigningKeys, SECRET_PREFIX } from '../../db/credentials/credentials';
import { migrate } from '../../db/migrate';
import { signBody } from '../../lib/bodySignature';
import { parseSecretKeys } from '../../lib/secretKeys';
import { alertGroup, firingAlert } from '../support/alertPayloads';
import { apiSuite, signedAlertHeaders, startTestApi, type TestApi } from '../support/api';
import { createTestDatabase } from '../support/database';
import { testRouting } from '../support/routing';

const MIGRATION_010 = fs.readdirSync(path.resolve(__dirname, '../../db/migrations')).find((f) => f.startsWith('010_'))!;

/**
 * The reader of the database: with only a copy of api_credentials, the HMAC key of signed alerts was secret_hash
 * itself, and a signed Alertmanager `resolved` closed a critical outage. Now the signing key is kept sealed with
 * DBOPS_SECRET_KEY, which the store does not hold: nothing in the dump signs or authenticates anything, while the
 * integration's real key still does.
 */
describe('a copy of the store is no credential', () => {
  const suite = apiSuite('store-dump', () => ({ routing: testRouting() }));

  const post = (target: TestApi, route: string, body: string, headers: Record<string, string>) =>
    fetch(`${target.url}${route}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const now = () => Math.floor(Date.now() / 1000);
  const outage = (instance: string, status: 'firing' | 'resolved') =>
    JSON.stringify(alertGroup([{ ...firingAlert({ alertname: 'PostgresDown', instance, severity: 'critical' }), status }]));

  it('no value of api_credentials signs a resolved alert or serves as a key; the real key signs', async () => {
    const { api, db } = suite;
    const instance = `db-${now()}`;
    const bearer = { authorization: `Bearer ${api.integrationKey}` };
    expect((await post(api, '/alertmanager', outage(instance, 'firing'), bearer)).status).toBe(202);

    // Every value of every row, as the HMAC key of a signed `resolved`, as a bearer key, and as a bearer key with the prefix.
    const { rows } = await db.pool.query('SELECT * FROM api_credentials');
    const values = rows.flatMap((r) => Object.values(r).filter((v): v is string => typeof v === 'string' && v.length > 0));
    expect(values).toEqual(expect.arrayContaining([rows[0].secret_hash, rows[0].signing_key]));
    for (const value of values) {
      const body = outage(instance, 'resolved');
      const timestamp = now();
      const signed = {
        'x-dbops-integration': 'monitoring',
        'x-dbops-timestamp': String(timestamp),
        'x-dbops-signature': signBody(value, timestamp, body),
      };
      expect((await post(api, '/alertmanager', body, signed)).status, `signed with ${value.slice(0, 8)}…`).toBe(401);
      for (const key of [value, `${SECRET_PREFIX.integration}${value}`])
        expect((await post(api, '/alertmanager', body, { authorization: `Bearer ${key}` })).status).toBe(401);
    }

    const resolved = outage(instance, 'resolved');
    const res = await post(api, '/alertmanager', resolved, signedAlertHeaders(api.integrationKey, resolved));
    expect(res.status).toBe(202);
    expect(((await res.json()) as { results: { action: string }[] }).results).toMatchObject([{ action: 'resolve' }]);
  });

  it('a new secret key put first seals every signing key again; the old key can then be dropped', async () => {
    const { api, db, client, taskQueue } = suite;
    const { secret: key } = await createCredential(db.pool, 'integration', 'rotated', '', { keys: api.secretKeys });
    const newKey = `test-2:${randomBytes(32).toString('base64')}`;
    const both = parseSecretKeys(`${newKey},test-1:${api.secretKeys.byId.get('test-1')!.toString('base64')}`, 'rotation');
    // What the API does at its start with the new key listed first.
    expect(await rewrapSigningKeys(db.pool, both)).toEqual({ rewrapped: 2, unopened: [] });
    const rotatedApi = await startTestApi(client, db.pool, taskQueue, { secretKeys: parseSecretKeys(newKey, 'the new key alone') });
    try {
      const body = JSON.stringify({ type: 'data-integrity', tier: 'olap', fingerprint: `rotated-${now()}` });
      expect((await post(rotatedApi, '/alerts', body, signedAlertHeaders(key, body, now(), 'rotated'))).status).toBe(202);
      // The old key alone no longer opens anything.
      const stale = await post(api, '/alerts', body, signedAlertHeaders(key, body, now() + 1, 'rotated'));
      expect(stale.status).toBe(401);
      expect(((await stale.json()) as { error: string }).error).toMatch(/sealed with key 'test-2', which is not listed/);
    } finally {
      rotatedApi.close();
    }
  });

  it('a key issued before the signing keys were sealed (migration 010) works as a bearer key, and signs once registered with the secret key', async () => {
    // A store as the code before migration 010 left it: the key's row holds sha256hex(key), the HMAC key itself.
    const legacy = await createTestDatabase('dump_legacy');
    const key = SECRET_PREFIX.integration + randomBytes(32).toString('base64url');
    try {
      await legacy.pool.query('DELETE FROM schema_migrations WHERE name = $1', [MIGRATION_010]);
      await legacy.pool.query(
        "INSERT INTO api_credentials (kind, subject, label, secret_hash) VALUES ('integration', 'legacy', '', encode(sha256($1::bytea), 'hex'))",
        [Buffer.from(key)],
      );
      expect(await migrate(legacy.pool)).toEqual([MIGRATION_010]);
      const legacyApi = await startTestApi(suite.client, legacy.pool, suite.taskQueue);
      try {
        const body = JSON.stringify({ type: 'data-integrity', tier: 'olap', fingerprint: `legacy-${now()}` });
        expect((await post(legacyApi, '/alerts', body, { authorization: `Bearer ${key}` })).status).toBe(202);
        const refused = await post(legacyApi, '/alerts', body, signedAlertHeaders(key, body, now(), 'legacy'));
        expect(refused.status).toBe(401);
        expect(((await refused.json()) as { error: string }).error).toMatch(/no signing key stored \(issued before migration 010/);

        // Registered again (as DBOPS_INTAKE_KEY is at the API's start), its signing key is sealed: it signs again.
        expect(await ensureCredential(legacy.pool, 'integration', 'legacy', key, '', legacyApi.secretKeys)).toBe('present');
        expect((await post(legacyApi, '/alerts', body, signedAlertHeaders(key, body, now(), 'legacy'))).status).toBe(202);
      } finally {
        legacyApi.close();
      }
    } finally {
      await legacy.drop();
    }
  });
});
