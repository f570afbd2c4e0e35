import { Pool } from 'pg';
import { TIERS, type Tier } from '../runbooks/types';

/** One pg Pool per tier; a tier without its own URL is checked on the main database (the demo's setup). */
export function createTierPools(
  urls: Partial<Record<Tier, string | undefined>>,
  fallbackUrl: string,
  onIdleError: (err: Error) => void = () => undefined,
): Record<Tier, Pool> {
  const pools = {} as Record<Tier, Pool>;
  const byUrl = new Map<string, Pool>();
  for (const tier of TIERS) {
    const url = urls[tier] ?? fallbackUrl;
    if (!byUrl.has(url)) {
      const pool = new Pool({ connectionString: url, max: 4, application_name: 'dbops-checks' });
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
