import { Pool } from 'pg';
import { primaryOf, type RunbookTier } from '../runbooks/runbook';
import { TIERS, type Tier } from '../runbooks/types';

/**
 * Bounds on every check against a tier, so a slow or locked tier ends a check as a failure instead of hanging the
 * checklist: a statement is cancelled by the server after STATEMENT_TIMEOUT_MS (well inside the check activity's
 * 60 s start-to-close, so the item records why, and a timed-out activity leaves no query running on the tier),
 * the client gives up QUERY_GRACE_MS later if the server does not even answer the cancel, and waiting for one
 * of the pool's connections (all held by slow checks) gives up after CONNECT_TIMEOUT_MS.
 */
export const CHECK_TIMEOUTS = { statementTimeoutMs: 20_000, queryGraceMs: 5_000, connectTimeoutMs: 10_000 };

/** The pools checks run on, one per tier's database, made when a tier is first used. */
export interface TierPools {
  /** The tier's pool; throws TierNotConnected naming the variable to set when the tier has no database. */
  of(tier: Tier): Pool;
  /** The runbook's tiers whose primary's connection variable is not set (a tier the file adds needs one). */
  unconnected(): { tier: Tier; variable: string }[];
  close(): Promise<void>;
}

/** A tier with no connection string: its check or probe fails with this, naming the variable to set. */
export class TierNotConnected extends Error {}

/** The variable a tier's connection string is in: its primary's `connectionEnv`, else DBOPS_TIER_<TIER>_URL. */
export const connectionVariable = (tier: Tier, definition?: RunbookTier) =>
  (definition && primaryOf(definition)?.connectionEnv) ?? `DBOPS_TIER_${tier.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;

export interface TierPoolOptions {
  /** The tiers of the runbook in force, asked at each use (a tier the file adds gets its pool at its first use). */
  tiers?: () => Record<Tier, RunbookTier>;
  /**
   * Where connection variables are read (the worker: process.env). Without it every tier runs on its `urls` entry or
   * the fallback database (tests, benches and the dry run's scratch database, which must never reach a real tier).
   */
  env?: Record<string, string | undefined>;
  onIdleError?: (err: Error) => void;
  timeouts?: typeof CHECK_TIMEOUTS;
}

/**
 * One pg Pool per database the tiers use. A tier's connection string is the variable its runbook names; a shipped tier
 * without one is checked on the main database (the demo's setup); a tier the file adds without one is refused when
 * first used, naming the variable: the file can change while the worker runs, so a start-time check could not cover it,
 * and one unset tier must not stop incidents on the others.
 */
export function createTierPools(urls: Partial<Record<Tier, string | undefined>>, fallbackUrl: string, o: TierPoolOptions = {}): TierPools {
  const timeouts = o.timeouts ?? CHECK_TIMEOUTS;
  const byUrl = new Map<string, Pool>();
  const poolFor = (url: string) => {
    let pool = byUrl.get(url);
    if (!pool) {
      pool = new Pool({
        connectionString: url,
        max: 4,
        application_name: 'dbops-checks',
        statement_timeout: timeouts.statementTimeoutMs,
        query_timeout: timeouts.statementTimeoutMs + timeouts.queryGraceMs,
        connectionTimeoutMillis: timeouts.connectTimeoutMs,
      });
      // An idle connection dropped by a restarting tier must not crash the worker; the next check reconnects.
      pool.on('error', o.onIdleError ?? (() => undefined));
      byUrl.set(url, pool);
    }
    return pool;
  };
  const urlOf = (tier: Tier): string | { variable: string } => {
    if (!o.env) return urls[tier] ?? fallbackUrl;
    const variable = connectionVariable(tier, o.tiers?.()[tier]);
    const url = o.env[variable] ?? urls[tier] ?? ((TIERS as readonly string[]).includes(tier) ? fallbackUrl : undefined);
    return url ?? { variable };
  };
  return {
    of(tier) {
      const url = urlOf(tier);
      if (typeof url !== 'string')
        throw new TierNotConnected(`tier '${tier}' has no database: set ${url.variable} to its primary's connection string`);
      return poolFor(url);
    },
    unconnected() {
      return Object.keys(o.tiers?.() ?? {}).flatMap((tier) => {
        const url = urlOf(tier);
        return typeof url === 'string' ? [] : [{ tier, variable: url.variable }];
      });
    },
    close: () => Promise.all([...byUrl.values()].map((p) => p.end())).then(() => undefined),
  };
}

export async function closeTierPools(pools: TierPools) {
  await pools.close();
}
