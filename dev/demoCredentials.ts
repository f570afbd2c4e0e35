import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { authenticateSecret, createCredential, ensureCredential, SECRET_PREFIX } from '../db/credentials/credentials';
import { randomBytes } from 'node:crypto';
import type { Roster } from '../runbooks/roster';
import { DEFAULT_INTEGRATION, registerIntakeKey } from '../client/api/intakeKey';
import { secretKeyFileIn, type Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { parseSecretKeys, type SecretKeys } from '../lib/secretKeys';

export interface DemoCredentials {
  file: string;
  intakeKey: string;
  /** Personal tokens of the roster's people (the demo only). */
  tokens: Record<string, string>;
}

/**
 * npm start's secret key, unless DBOPS_SECRET_KEY (or its file) is set: generated once into <data dir>/secret-key
 * (0600), outside the audit store, and read from there by the CLI too (lib/config). Sets `config.secretKeys`.
 */
export function demoSecretKeys(config: Config, log: Logger): SecretKeys {
  if (config.secretKeys) return config.secretKeys;
  const file = secretKeyFileIn(config.dataDir);
  fs.writeFileSync(file, `local-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  log.info({ file }, 'generated a secret key for the signing keys the store keeps sealed (DBOPS_SECRET_KEY_FILE)');
  config.secretKeys = parseSecretKeys(fs.readFileSync(file, 'utf8'), file);
  return config.secretKeys;
}

/**
 * npm start's credentials, kept in <data dir>/credentials.json (0600) so a restart reuses them: the default
 * integration's key (DBOPS_INTAKE_KEY when set; its signing key sealed with `secretKeys`) and, on the demo stack, a
 * personal token for each person on the roster.
 */
export async function demoCredentials(
  pool: Pool,
  dataDir: string,
  roster: Roster,
  opts: { intakeKey?: string; peopleTokens: boolean; secretKeys: SecretKeys },
  log: Logger,
): Promise<DemoCredentials> {
  const file = path.join(dataDir, 'credentials.json');
  let kept: Partial<DemoCredentials> = {};
  try {
    kept = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    /* first start */
  }
  let intakeKey = opts.intakeKey ?? kept.intakeKey;
  const keys = opts.secretKeys;
  if (!intakeKey || (await ensureCredential(pool, 'integration', DEFAULT_INTEGRATION, intakeKey, 'npm start', keys)) === 'revoked')
    intakeKey = opts.intakeKey ?? SECRET_PREFIX.integration + randomBytes(32).toString('base64url');
  await registerIntakeKey(pool, intakeKey, log, keys);
  const tokens: Record<string, string> = {};
  if (opts.peopleTokens) {
    for (const person of roster.people) {
      const old = kept.tokens?.[person.id];
      tokens[person.id] =
        old && (await authenticateSecret(pool, 'person', old))?.subject === person.id
          ? old
          : (await createCredential(pool, 'person', person.id, 'npm start demo')).secret;
    }
  }
  fs.writeFileSync(file, JSON.stringify({ intakeKey, tokens }, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return { file, intakeKey, tokens };
}
