import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecklistActivities } from '../../activities/checks/checklistChecks';
import { DEFAULT_THRESHOLDS } from '../../activities/checks/databaseChecks';
import { closeTierPools, createTierPools } from '../../lib/tierPools';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('checklist checks (activities, real PostgreSQL)', () => {
  let db: TestDatabase;
  let tierPools: ReturnType<typeof createTierPools>;
  beforeAll(async () => {
    db = await createTestDatabase('cl');
    tierPools = createTierPools({}, db.url);
  });
  afterAll(async () => {
    await closeTierPools(tierPools);
    await db.drop();
  });

  const activities = (backupCheckCommand?: string) =>
    createChecklistActivities({
      tierPools,
      auditPool: db.pool,
      thresholds: DEFAULT_THRESHOLDS,
      allowedCidrs: ['127.0.0.0/8'],
      backupCheckCommand,
      openIncident: async () => ({ workflowId: 'unused' }),
    });
  const input = {
    runId: 'r1',
    itemKey: 'backup-verification@oltp',
    check: 'backups' as const,
    tier: 'oltp' as const,
    now: new Date().toISOString(),
  };

  it("fails backup verification when the configured backup tool's check fails, keeping its output as evidence", async () => {
    const failed = await activities('echo "stanza oltp: no valid backup" >&2; exit 2').runChecklistCheck(input);
    expect(failed.outcome).toBe('fail');
    expect(failed.evidence.backupTool).toEqual({ command: expect.any(String), exitCode: 2, output: 'stanza oltp: no valid backup' });

    const passed = await activities('echo "backup for $DBOPS_TIER ok"').runChecklistCheck(input);
    expect(passed.outcome).not.toBe('fail');
    expect((passed.evidence.backupTool as { output: string }).output).toBe('backup for oltp ok');
  });

  it('measures storage growth against the sample taken about a day earlier, and records its own', async () => {
    const now = Date.now();
    const size = Number((await db.pool.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b);
    await db.pool.query(
      `INSERT INTO storage_samples (run_id, tier, database, bytes, sampled_at) VALUES ('yesterday', 'content', 'x', $1, $2)`,
      [Math.round(size / 1.25), new Date(now - 24 * 3600_000)],
    );
    // A sample from an hour ago is not "the previous day": it must not be the baseline.
    await db.pool.query(
      `INSERT INTO storage_samples (run_id, tier, database, bytes, sampled_at) VALUES ('recent', 'content', 'x', $1, $2)`,
      [size, new Date(now - 3600_000)],
    );
    const r = await activities().runChecklistCheck({
      runId: 'today',
      itemKey: 'storage-usage@content',
      check: 'storageGrowth',
      tier: 'content',
      now: new Date(now).toISOString(),
    });
    expect(r.breaches.map((b) => b.threshold)).toEqual(['storage-growth']);
    expect(r.breaches[0].measured).toBeGreaterThan(20);
    const recorded = await db.pool.query(`SELECT bytes FROM storage_samples WHERE run_id = 'today' AND tier = 'content'`);
    expect(Number(recorded.rows[0].bytes)).toBeGreaterThan(0);
  });
});
