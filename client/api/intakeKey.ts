import type { Pool } from 'pg';
import { ensureCredential, rewrapSigningKeys } from '../../db/credentials/credentials';
import type { Logger } from '../../lib/logger';
import type { SecretKeys } from '../../lib/secretKeys';

/** The integration DBOPS_INTAKE_KEY authenticates. */
export const DEFAULT_INTEGRATION = 'default';

/**
 * Registers DBOPS_INTAKE_KEY as the default integration's key (its hash, and its signing key sealed with `keys`,
 * which also seals one for a key registered before migration 010); a revoked one stays revoked.
 */
export async function registerIntakeKey(pool: Pool, key: string, log: Logger, keys?: SecretKeys): Promise<void> {
  const outcome = await ensureCredential(pool, 'integration', DEFAULT_INTEGRATION, key, 'DBOPS_INTAKE_KEY', keys);
  if (outcome === 'revoked') log.warn('DBOPS_INTAKE_KEY was revoked: alerts sent with it are refused (401); set a new one');
  else if (outcome === 'created') log.info({ integration: DEFAULT_INTEGRATION }, 'DBOPS_INTAKE_KEY registered');
}

/**
 * At the API's start: signing keys sealed with an older key of DBOPS_SECRET_KEY are sealed again with its first, so
 * the older one can be dropped from the list; a signing key no listed key opens is named (it cannot sign).
 */
export async function sealSigningKeysWithCurrentKey(pool: Pool, keys: SecretKeys, log: Logger): Promise<void> {
  const { rewrapped, unopened } = await rewrapSigningKeys(pool, keys);
  if (rewrapped) log.info({ rewrapped, keyId: keys.current.id }, 'signing keys sealed again with the current secret key');
  if (unopened.length)
    log.error(
      { credentials: unopened },
      'signing keys that no key of DBOPS_SECRET_KEY opens: those integrations cannot sign; re-issue them',
    );
}
