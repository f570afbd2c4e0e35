import { Client } from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../db/audit/chain';
import { readEvents } from '../../db/audit/readEvents';
import { startChecklist } from '../../client/checklists/startChecklist';
import { seedDemoData } from '../../dev/demoData';
import { checklistStateQuery, signOffUpdate, type ChecklistRunState } from '../../workflows/checklist/messages';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { roster, timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';
import { rejectionOf } from '../support/updateRejection';

describe('daily checklists (time-skipping, real PostgreSQL)', () => {
  const taskQueue = 'ts-checklists';
  // A 1-second slow-query limit keeps the real slow query in this file short.
  const suite = timeSkippingSuite(taskQueue, () => ({ thresholds: { slowQuerySeconds: 1 } }));

  beforeEach(async () => {
    const db = suite.harness.db.pool;
    await db.query(
      'TRUNCATE connection_pool_metrics, connection_pool_config, jobs, email_messages, storage_samples RESTART IDENTITY CASCADE',
    );
    await seedDemoData(db);
    // Give the archiver a finished WAL segment, so backup verification has a success to read.
    await db.query('SELECT pg_switch_wal()');
    for (let i = 0; i < 50; i++) {
      const { rows } = await db.query('SELECT archived_count FROM pg_stat_archiver');
      if (Number(rows[0].archived_count) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  const items = (s: ChecklistRunState) => Object.fromEntries(s.items.map((i) => [i.key, i]));

  it('a full morning run against a healthy database passes every check and stores its report', async () => {
    const handle = await startChecklist(suite.env.client, taskQueue, 'morning', roster, `checklist/morning/healthy-${Date.now()}`);
    await suite.env.sleep('5 minutes');
    await handle.executeUpdate(signOffUpdate, {
      args: [{ actor: 'oscar', itemId: 'dashboard-review', outcome: 'pass', note: 'dashboards green' }],
    });
    const run = await handle.result();

    const failing = run.items.filter((i) => i.outcome !== 'pass').map((i) => `${i.key}: ${i.outcome} ${i.summary}`);
    expect(failing).toEqual([]);
    expect(run.items).toHaveLength(1 + 4 + 4 + 4 + 1 + 4 + 1);
    expect(run.items.every((i) => i.incidents.length === 0)).toBe(true);
    expect(items(run)['connection-pool-status@oltp'].evidence).toMatchObject({ source: 'pool-metrics' });

    const stored = await suite.harness.db.pool.query(
      'SELECT status, pass_count, fail_count, report_markdown FROM checklist_runs WHERE run_id = $1',
      [run.runId],
    );
    expect(stored.rows[0]).toMatchObject({ status: 'finished', pass_count: run.items.length, fail_count: 0 });
    expect(stored.rows[0].report_markdown).toContain('| Connection pool status on every tier | oltp | PASS |');
    const itemRows = await suite.harness.db.pool.query('SELECT count(*)::int AS n FROM checklist_items WHERE run_id = $1', [run.runId]);
    expect(itemRows.rows[0].n).toBe(run.items.length);
    expect(verifyChain(await readEvents(suite.harness.db.pool, 'checklist', run.runId))).toEqual([]);
    expect(
      suite.harness.channel.sent.some((n) => n.kind === 'report' && n.subjectId === run.runId && /pass, 0 warn, 0 fail/.test(n.message)),
    ).toBe(true);
    await maybeRecordHistory(handle, 'checklist-morning');
  });

  it('breached thresholds open exactly the matching incidents, and the next run joins them instead of opening more', async () => {
    const db = suite.harness.db.pool;
    // Pool usage 95 % on OLTP, 150 jobs waiting on the queue tier, OLAP grown 50 % since yesterday.
    await db.query(`INSERT INTO connection_pool_metrics (pool_config_id, active_connections, idle_connections, connection_usage_rate)
                    SELECT id, 48, 2, 95 FROM connection_pool_config WHERE tier = 'oltp'`);
    await db.query(`INSERT INTO jobs (priority, status) SELECT 'normal', 'queued' FROM generate_series(1, 150)`);
    const size = Number((await db.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b);
    const yesterday = new Date((await suite.env.currentTimeMs()) - 24 * 3600_000).toISOString();
    await db.query(
      `INSERT INTO storage_samples (run_id, tier, database, bytes, sampled_at) VALUES ('earlier', 'olap', current_database(), $1, $2)`,
      [Math.round(size / 1.5), yesterday],
    );

    const run1 = await runMorning('breach-1');
    const expected = [
      'incident/connection-pool-exhaustion/oltp/pool-usage',
      'incident/performance-degradation/olap/storage-growth',
      'incident/performance-degradation/queue/queue-backlog',
    ];
    expect(run1.items.flatMap((i) => i.incidents).sort()).toEqual(expected);
    expect(items(run1)['connection-pool-status@oltp']).toMatchObject({ outcome: 'fail', incidents: [expected[0]] });
    expect(items(run1)['queue-health@queue'].outcome).toBe('fail');
    expect(items(run1)['storage-usage@olap'].outcome).toBe('fail');
    const firstRuns = await Promise.all(expected.map(async (id) => (await suite.env.client.workflow.getHandle(id).describe()).runId));

    const run2 = await runMorning('breach-2');
    expect(run2.items.flatMap((i) => i.incidents).sort()).toEqual(expected);
    for (const [i, id] of expected.entries()) {
      const handle = suite.env.client.workflow.getHandle(id);
      expect((await handle.describe()).runId).toBe(firstRuns[i]);
      expect((await handle.query(incidentStateQuery)).triggerCount).toBe(2);
    }
    const opened = await db.query(`SELECT count(*)::int AS n FROM incidents WHERE workflow_id = ANY($1)`, [expected]);
    expect(opened.rows[0].n).toBe(3);
  });

  it('a query running past the limit during the midday review opens a performance incident', async () => {
    const sleeper = new Client({ connectionString: suite.harness.db.url });
    await sleeper.connect();
    const slow = sleeper.query('SELECT pg_sleep(4)').catch(() => undefined);
    try {
      // Wait until the query has really run past the 1-second limit.
      for (let i = 0; i < 50; i++) {
        const { rows } = await suite.harness.db.pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(4)%' AND now() - query_start > interval '1.5 seconds'`,
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const handle = await startChecklist(suite.env.client, taskQueue, 'midday', roster, `checklist/midday/slow-${Date.now()}`);
      const run = await handle.result();
      expect(items(run)['query-performance@oltp']).toMatchObject({
        outcome: 'fail',
        incidents: ['incident/performance-degradation/oltp/query-time'],
      });
    } finally {
      await slow;
      await sleeper.end();
    }
  });

  it('a manual item never signed reminds at its due time, escalates level by level, and fails when the run closes', async () => {
    const handle = await startChecklist(suite.env.client, taskQueue, 'end-of-day', roster, `checklist/eod/unsigned-${Date.now()}`);
    await suite.env.sleep('10 minutes');
    const start = Date.parse((await handle.query(checklistStateQuery)).startedAt);
    expect(
      await rejectionOf(handle.executeUpdate(signOffUpdate, { args: [{ actor: 'lee', itemId: 'tomorrow-preparation', outcome: 'pass' }] })),
    ).toMatch(/may not sign/);
    expect(
      await rejectionOf(handle.executeUpdate(signOffUpdate, { args: [{ actor: 'oscar', itemId: 'alert-review', outcome: 'pass' }] })),
    ).toMatch(/automated/);
    await handle.executeUpdate(signOffUpdate, { args: [{ actor: 'oscar', itemId: 'tomorrow-preparation', outcome: 'pass' }] });

    const run = await handle.result();
    const pages = suite.harness.channel.sent
      .filter((n) => n.subjectId === run.runId && n.message.includes('Scheduled maintenance'))
      .map((n) => ({
        minute: Math.round((Date.parse(n.occurredAt) - start) / 60_000),
        kind: n.kind,
        roles: [...new Set(n.recipients.map((r) => r.role))].sort(),
      }));
    // Due at 90 min: level 1 at once, level 2 at +30, level 3 at +60 (seed: immediate / 30 min / 1 h).
    expect(pages).toEqual([
      { minute: 90, kind: 'reminder', roles: ['database-lead', 'on-call-engineer'] },
      { minute: 120, kind: 'escalation', roles: ['engineering-manager', 'senior-engineer'] },
      { minute: 150, kind: 'escalation', roles: ['ceo', 'cto'] },
    ]);
    expect(items(run)['maintenance-tasks']).toMatchObject({ outcome: 'fail', summary: 'not signed off before the checklist closed' });
    expect(items(run)['tomorrow-preparation']).toMatchObject({ outcome: 'pass', signedBy: 'oscar' });
    expect(Math.round((Date.parse(run.finishedAt!) - start) / 60_000)).toBe(240);
    // Nothing reminds about the item that was signed in time.
    expect(suite.harness.channel.sent.some((n) => n.subjectId === run.runId && n.message.includes("Tomorrow's maintenance"))).toBe(false);
  });

  async function runMorning(suffix: string) {
    const handle = await startChecklist(suite.env.client, taskQueue, 'morning', roster, `checklist/morning/${suffix}-${Date.now()}`);
    await suite.env.sleep('1 minute');
    await handle.executeUpdate(signOffUpdate, {
      args: [{ actor: 'dana', itemId: 'dashboard-review', outcome: 'warn', note: 'pool graph red' }],
    });
    return handle.result();
  }
});
