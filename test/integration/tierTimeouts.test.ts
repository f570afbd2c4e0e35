import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkQueueHealth } from '../../activities/checks/databaseChecks';
import { closeTierPools, createTierPools } from '../../lib/tierPools';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Nothing is timed here: the guard only turns a hang into a failure that says so. */
const withinGuard = <T>(p: Promise<T>, ms = 15_000) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the check hung past the guard')), ms))]);

describe('a check against a slow tier ends instead of hanging the checklist', () => {
  let db: TestDatabase;
  let locker: Client;
  let tierPools: ReturnType<typeof createTierPools>;
  beforeAll(async () => {
    db = await createTestDatabase('tiertimeouts');
    tierPools = createTierPools({}, db.url, { timeouts: { statementTimeoutMs: 500, queryGraceMs: 1_000, connectTimeoutMs: 2_000 } });
    locker = new Client({ connectionString: db.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await closeTierPools(tierPools);
    await db.drop();
  });

  it('the queue check on a locked jobs table fails with the statement timeout, and the tier is usable again after', async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE jobs IN ACCESS EXCLUSIVE MODE');
    try {
      await expect(withinGuard(checkQueueHealth(tierPools.of('queue')))).rejects.toThrow(/statement timeout/);
    } finally {
      await locker.query('ROLLBACK');
    }
    // The cancelled statement left nothing behind: the next check runs.
    expect((await withinGuard(checkQueueHealth(tierPools.of('queue')))).outcome).toBe('pass');
  });
});
