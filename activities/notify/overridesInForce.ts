import type { Pool } from 'pg';
import { overridesOfRoles } from '../../db/oncall/overrides';
import type { Logger } from '../../lib/logger';
import type { Override } from '../../runbooks/onCall';
import type { Role } from '../../runbooks/types';

/** How long a page waits for the overrides before it goes out with the last ones this worker read. */
const READ_WITHIN_MS = 2_000;

/**
 * The overrides a page is resolved with, read from the audit store for each page: an override made through any API
 * is seen by the next page from any worker (no cache to invalidate across processes), at the cost of one indexed
 * query. Paging never waits for the store: if it does not answer within READ_WITHIN_MS, the page goes out with the
 * overrides this worker read last (still in their window), and says so in the log.
 */
export function overridesInForce(pool: Pool, log?: Logger): (roles: readonly Role[], at: number) => Promise<Override[]> {
  let lastRead: Override[] = [];
  return async (roles, at) => {
    if (!roles.length) return [];
    let timer: NodeJS.Timeout | undefined;
    try {
      const read = await Promise.race([
        overridesOfRoles(pool, roles, at),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${READ_WITHIN_MS} ms`)), READ_WITHIN_MS);
        }),
      ]);
      // Kept by role: a later read for other roles does not forget these.
      lastRead = [...lastRead.filter((o) => !roles.includes(o.role) && o.end > at), ...read];
      return read;
    } catch (err) {
      const known = lastRead.filter((o) => roles.includes(o.role) && o.end > at);
      log?.warn(
        { error: (err as Error).message, roles, overridesKnown: known.length },
        'on-call overrides unreadable; paging with the last ones read',
      );
      return known;
    } finally {
      clearTimeout(timer);
    }
  };
}
