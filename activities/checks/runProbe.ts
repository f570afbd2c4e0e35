import { Pool } from 'pg';
import type { ProbeRequest } from '../../runbooks/types';
import { probeOutcome } from '../../runbooks/probeOutcome';
import type { StepResult } from '../contracts';

/**
 * A runbook file's probe: its one SELECT in a READ ONLY transaction (it cannot change anything, whatever it says) with
 * the probe's statement timeout, rolled back; the first row gives the outcome and the evidence line.
 */
export async function runProbeQuery(pool: Pool, probe: ProbeRequest): Promise<StepResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.round(probe.timeoutSeconds * 1000)}`);
    const result = await client.query(probe.sql);
    return probeOutcome(probe, result.rows[0]);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/**
 * The pool a probe runs on: the connection string in the environment variable its runbook names for the tier's primary
 * (read when it runs, never written anywhere), else the tier's own pool (DBOPS_TIER_<TIER>_URL or the main database).
 */
export function probePools(fallback: (tier: string) => Pool | undefined) {
  const byUrl = new Map<string, Pool>();
  return (tier: string, connectionEnv: string | undefined): Pool => {
    const url = connectionEnv ? process.env[connectionEnv] : undefined;
    if (!url) {
      const pool = fallback(tier);
      if (!pool) throw new Error(`no database for tier '${tier}': set ${connectionEnv ?? `DBOPS_TIER_${tier.toUpperCase()}_URL`}`);
      return pool;
    }
    let pool = byUrl.get(url);
    if (!pool) {
      pool = new Pool({
        connectionString: url,
        max: 2,
        application_name: 'dbops-probes',
        connectionTimeoutMillis: 5_000,
        allowExitOnIdle: true,
      });
      pool.on('error', () => undefined); // an idle connection dropped by a restarting tier: the next probe reconnects
      byUrl.set(url, pool);
    }
    return pool;
  };
}
