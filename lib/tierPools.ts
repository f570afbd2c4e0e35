import { Pool } from 'pg';
import { TIERS, type Tier } from '../runbooks/types';

/**
 * Bounds on every check against a tier, so a slow or locked tier ends a check as a failure instead of hanging the
 * checklist: a statement is cancelled by the server after STATEMENT_TIMEOUT_MS (well inside the check activity's
 * 60 s start-to-close, so the item records why, and a timed-out activity leaves no query running on the tier),
 * the client gives up QUERY_GRACE_MS later if the server does not even answer the cancel, and waiting for one
 * of the pool's connections (all held by slow checks) gives up after CONNECT_TIMEOUT_MS.
 */
export const CHECK_TIMEOUTS = { statementTimeoutMs: 20_000, queryGraceMs: 5_000, connectTimeoutMs: 10_000 };

/** One pg Pool per tier; a tier without its own URL is checked on the main database (the demo's setup). */
export function createTierPools(
  urls: Partial<Record<Tier, string | undefined>>,
  fallbackUrl: string,
  onIdleError: (err: Error) => void = () => undefined,
  timeouts: typeof CHECK_TIMEOUTS = CHECK_TIMEOUTS,
): Record<Tier, Pool> {
  const pools = {} as Record<Tier, Pool>;
  const byUrl = new Map<string, Pool>();
  for (const tier of TIERS) {
    const url = urls[tier] ?? fallbackUrl;
    if (!byUrl.has(url)) {
      const pool = new Pool({
        connectionString: url,
        max: 4,
        application_name: 'dbops-checks',
        statement_timeout: timeouts.statementTimeoutMs,
        query_timeout: timeouts.statementTimeoutMs + timeouts.queryGraceMs,
        connectionTimeoutMillis: timeouts.connectTimeoutMs,
      });
      // An idle connection dropped by a restarting tier must not crash the worker; the next check reconnects.
      pool.on('error', onIdleError);
      byUrl.set(url, pool);
    }
    pools[tier] = byUrl.get(url)!;
  }
  return pools;
}

export async function closeTierPools(pools: Record<Tier, Pool>) {
  await Promise.all([...new Set(Object.values(pools))].map((p) => p.end()));
}
