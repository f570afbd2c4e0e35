import type { Pool } from 'pg';
import { ensureCredential } from '../../db/credentials/credentials';
import type { Logger } from '../../lib/logger';

/** The integration DBOPS_INTAKE_KEY authenticates. */
export const DEFAULT_INTEGRATION = 'default';

/** Registers DBOPS_INTAKE_KEY as the default integration's key (its hash only); a revoked one stays revoked. */
export async function registerIntakeKey(pool: Pool, key: string, log: Logger): Promise<void> {
  const outcome = await ensureCredential(pool, 'integration', DEFAULT_INTEGRATION, key, 'DBOPS_INTAKE_KEY');
  if (outcome === 'revoked') log.warn('DBOPS_INTAKE_KEY was revoked: alerts sent with it are refused (401); set a new one');
  else if (outcome === 'created') log.info({ integration: DEFAULT_INTEGRATION }, 'DBOPS_INTAKE_KEY registered');
}
