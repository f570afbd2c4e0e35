import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkActiveQueries,
  checkBackups,
  checkConnectionPools,
  checkConnectivity,
  checkContentRetention,
  checkIndexUsage,
  checkQueueHealth,
  checkResourceUtilisation,
  checkSecurityEvents,
  checkStorageGrowth,
  DEFAULT_THRESHOLDS,
  type CheckResult,
} from '../../activities/checks/databaseChecks';
import { createLogger } from '../../lib/logger';
import { startEmbeddedPostgres, type RunningPostgres } from '../../dev/provision/postgres';
import { freePort } from '../../dev/provision/processes';
import { createTestDatabase, type TestDatabase } from '../support/database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until probe returns something truthy; a deadline only guards against hanging, nothing is timed. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined); // a connection ended by the server (a dropped database) is not a test failure
  await c.connect();
  return c;
}

const backendPid = async (c: Client) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
const securityBreach = (r: CheckResult, kind: 'superuser' | 'address') =>
  r.breaches.find((b) => b.detail.startsWith(kind === 'superuser' ? 'superuser sessions' : 'connections from outside'));
type Session = { pid: number; usename: string; client_addr: string | null; application_name: string };

describe('database checks on a migrated test database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('checks');
  });
  afterAll(() => db?.drop());

  describe('checkConnectivity', () => {
    it('passes with the latency when SELECT 1 answers', async () => {
      const r = await checkConnectivity(db.pool, { timeoutMs: 10_000 });
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ reachable: true, result: 1, timeoutMs: 10_000 });
      expect(r.evidence.latencyMs).toBeTypeOf('number');
      expect(r.breaches).toEqual([]);
    });

    it('fails, without throwing, when nothing listens on the port', async () => {
      const port = await freePort();
      const unreachable = new Pool({ connectionString: `postgres://nobody:secret@127.0.0.1:${port}/none` });
      try {
        const r = await checkConnectivity(unreachable, { timeoutMs: 10_000 });
        expect(r.outcome).toBe('fail');
        expect(r.evidence.reachable).toBe(false);
        expect(String(r.evidence.error)).toMatch(/ECONNREFUSED/);
        expect(r.summary).toContain('unreachable');
      } finally {
        await unreachable.end();
      }
    });

    it('fails at the timeout when the server accepts but never answers', async () => {
      const sockets = new Set<net.Socket>();
      const silent = net.createServer((s) => sockets.add(s));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as net.AddressInfo;
      const hung = new Pool({ connectionString: `postgres://nobody:secret@127.0.0.1:${port}/none` });
      try {
        const r = await checkConnectivity(hung, { timeoutMs: 300 });
        expect(r.outcome).toBe('fail');
        expect(r.evidence).toMatchObject({ reachable: false, error: 'no answer within 300 ms', timeoutMs: 300 });
      } finally {
        for (const s of sockets) s.destroy();
        await hung.end();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  describe('checkActiveQueries', () => {
    it('passes with no other active query, excluding its own backend', async () => {
      const r = await checkActiveQueries(db.pool, { scope: 'database' });
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({
        activeQueries: 0,
        slowQueries: [],
        slowQuerySeconds: DEFAULT_THRESHOLDS.slowQuerySeconds,
        scope: 'database',
      });
      expect(r.evidence.pgStatStatements).toMatchObject({ installed: false });
    });

    it('passes on a running query under the limit, then breaches once it runs past the limit', async () => {
      const sleeper = await connect(db.url);
      const pid = await backendPid(sleeper);
      const running = sleeper.query('SELECT pg_sleep(60)').catch((err: Error) => err);
      try {
        await waitFor('pg_sleep to be active for over a second', async () => {
          const { rows } = await db.pool.query<{ d: number }>(
            "SELECT EXTRACT(EPOCH FROM (now() - query_start))::float8 AS d FROM pg_stat_activity WHERE pid = $1 AND state = 'active'",
            [pid],
          );
          return rows[0] && rows[0].d > 1.2;
        });
        const under = await checkActiveQueries(db.pool, { thresholds: { slowQuerySeconds: 30 }, scope: 'database' });
        expect(under.outcome).toBe('pass');
        expect(under.evidence.activeQueries).toBe(1);
        expect(under.breaches).toEqual([]);

        const over = await checkActiveQueries(db.pool, { thresholds: { slowQuerySeconds: 1 } }); // whole server, as the seed
        expect(over.outcome).toBe('fail');
        const breach = over.breaches.find((b) => b.detail.startsWith(`pid ${pid} `));
        expect(breach).toMatchObject({ threshold: 'query-time', limit: 1 });
        expect(breach!.measured).toBeGreaterThan(1);
        const listed = (over.evidence.slowQueries as { pid: number; duration_seconds: number; query_preview: string }[]).find(
          (q) => q.pid === pid,
        );
        expect(listed).toMatchObject({ query_preview: 'SELECT pg_sleep(60)', duration_seconds: breach!.measured });
      } finally {
        await db.pool.query('SELECT pg_cancel_backend($1)', [pid]);
        expect(String(await running)).toMatch(/cancel/);
        await sleeper.end();
      }
    });

    it('notes pg_stat_statements that is installed but not preloaded instead of failing', async () => {
      await db.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      try {
        const r = await checkActiveQueries(db.pool, { scope: 'database' });
        expect(r.outcome).toBe('pass');
        expect(r.evidence.pgStatStatements).toMatchObject({ installed: true, error: expect.stringMatching(/shared_preload_libraries/) });
      } finally {
        await db.pool.query('DROP EXTENSION pg_stat_statements');
      }
    });
  });

  describe('checkConnectionPools', () => {
    let poolId: number;
    const addMetric = (usage: number, ago = '0 seconds') =>
      db.pool.query(
        `INSERT INTO connection_pool_metrics (pool_config_id, active_connections, idle_connections, connection_usage_rate, collected_at)
         VALUES ($1, $2, 2, $3, now() - $4::interval)`,
        [poolId, Math.round((usage / 100) * 50), usage, ago],
      );

    beforeAll(async () => {
      const { rows } = await db.pool.query<{ id: number }>(
        "INSERT INTO connection_pool_config (tier, pool_name, min_connections, max_connections) VALUES ('oltp', 'primary', 5, 50) RETURNING id",
      );
      poolId = rows[0].id;
    });

    it('passes on the latest metrics row, ignoring one older than 5 minutes', async () => {
      await addMetric(99, '10 minutes');
      await addMetric(40, '1 minute');
      const r = await checkConnectionPools(db.pool, { tier: 'oltp' });
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ source: 'pool-metrics', poolUsagePercent: 90, poolWarnPercent: 75 });
      expect(r.evidence.pools).toEqual([
        expect.objectContaining({ pool_name: 'primary', min_connections: 5, max_connections: 50, usage_percent: 40 }),
      ]);
      expect(r.breaches).toEqual([]);
    });

    it('warns above the warning level', async () => {
      await addMetric(80, '30 seconds');
      const r = await checkConnectionPools(db.pool, { tier: 'oltp' });
      expect(r.outcome).toBe('warn');
      expect(r.breaches).toEqual([]);
    });

    it('fails with a pool-usage breach above 90%', async () => {
      await addMetric(95);
      const r = await checkConnectionPools(db.pool, { tier: 'oltp' });
      expect(r.outcome).toBe('fail');
      expect(r.breaches).toEqual([expect.objectContaining({ threshold: 'pool-usage', measured: 95, limit: 90 })]);
    });

    it('falls back to server connections vs max_connections when the tier has no recent rows', async () => {
      const max = Number((await db.pool.query<{ max_connections: string }>('SHOW max_connections')).rows[0].max_connections);
      const r = await checkConnectionPools(db.pool, { tier: 'olap' });
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ source: 'server', fallbackReason: expect.stringContaining("'olap'") });
      const [server] = r.evidence.pools as { max_connections: number; active_connections: number; usage_percent: number }[];
      expect(server.max_connections).toBe(max);
      expect(server.active_connections).toBeGreaterThanOrEqual(1);

      const tight = await checkConnectionPools(db.pool, { tier: 'olap', thresholds: { poolUsagePercent: 0.1 } });
      expect(tight.outcome).toBe('fail');
      const [b] = tight.breaches;
      expect(b).toMatchObject({ threshold: 'pool-usage', limit: 0.1 });
      const [measured] = tight.evidence.pools as { max_connections: number; active_connections: number; usage_percent: number }[];
      expect(b.measured).toBe(measured.usage_percent);
      expect(b.measured).toBeCloseTo((measured.active_connections / max) * 100, 1);
    });
  });

  describe('checkQueueHealth', () => {
    const queue = (n: number, priority = 'normal') =>
      db.pool.query("INSERT INTO jobs (priority, status) SELECT $2, 'queued' FROM generate_series(1, $1::int)", [n, priority]);

    it('passes with a small backlog and reports the last hour by priority', async () => {
      await db.pool.query(
        `INSERT INTO jobs (priority, status, created, completed) VALUES
           ('low', 'completed', now() - interval '10 minutes', now() - interval '9 minutes'),
           ('critical', 'completed', now() - interval '30 minutes', now() - interval '30 minutes' + interval '10 seconds'),
           ('critical', 'completed', now() - interval '20 minutes', now() - interval '20 minutes' + interval '20 seconds'),
           ('high', 'completed', now() - interval '2 hours', now() - interval '2 hours' + interval '5 seconds')`,
      );
      await queue(3, 'low');
      await queue(2, 'critical');
      const r = await checkQueueHealth(db.pool);
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ backlog: 5, queueBacklog: 100 });
      expect(r.evidence.backlogByPriority).toEqual([
        expect.objectContaining({ priority: 'critical', queued: 2 }),
        expect.objectContaining({ priority: 'low', queued: 3 }),
      ]);
      expect(r.evidence.completedLastHour).toEqual([
        expect.objectContaining({ priority: 'critical', job_count: 2, avg_processing_time_seconds: 15 }),
        expect.objectContaining({ priority: 'low', job_count: 1, avg_processing_time_seconds: 60 }),
      ]);
    });

    it('breaches at 101 queued jobs', async () => {
      await queue(96);
      const r = await checkQueueHealth(db.pool);
      expect(r.outcome).toBe('fail');
      expect(r.breaches).toEqual([expect.objectContaining({ threshold: 'queue-backlog', measured: 101, limit: 100 })]);
    });
  });

  describe('checkContentRetention', () => {
    it('passes with messages inside 30 days, per day', async () => {
      await db.pool.query("INSERT INTO email_messages (content) VALUES (repeat('a', 10)), (repeat('b', 20)), (repeat('c', 30))");
      await db.pool.query("INSERT INTO email_messages (created, content) VALUES (now() - interval '29 days', 'x')");
      const r = await checkContentRetention(db.pool);
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ retentionDays: 30, overdueCount: 0 });
      const days = r.evidence.days as { total_messages: number; avg_content_size: number }[];
      expect(days).toHaveLength(2);
      expect(days[0]).toMatchObject({ total_messages: 3, avg_content_size: 20 });
      expect(days[1]).toMatchObject({ total_messages: 1, avg_content_size: 1 });
    });

    it('warns when messages are past retention', async () => {
      await db.pool.query(
        "INSERT INTO email_messages (created, content) VALUES (now() - interval '40 days', 'old'), (now() - interval '31 days', 'old')",
      );
      const r = await checkContentRetention(db.pool);
      expect(r.outcome).toBe('warn');
      expect(r.evidence.overdueCount).toBe(2);
      expect((r.evidence.days as unknown[]).length).toBe(2);
    });
  });

  describe('checkStorageGrowth', () => {
    const size = async () =>
      Number((await db.pool.query<{ b: string }>('SELECT pg_database_size(current_database())::text AS b')).rows[0].b);

    it('passes without a previous reading and with no growth', async () => {
      const none = await checkStorageGrowth(db.pool);
      expect(none.outcome).toBe('pass');
      expect(none.evidence).toMatchObject({ previousBytes: null, growthPercent: null, storageGrowthPercent: 10 });
      const bytes = await size();
      const same = await checkStorageGrowth(db.pool, { previousBytes: bytes });
      expect(same.outcome).toBe('pass');
      expect(same.evidence.bytes).toBeGreaterThan(0);
      expect(same.evidence.growthPercent as number).toBeLessThan(1);
    });

    it('breaches at 20% growth', async () => {
      const bytes = await size();
      const r = await checkStorageGrowth(db.pool, { previousBytes: Math.round(bytes / 1.2) });
      expect(r.outcome).toBe('fail');
      expect(r.breaches).toHaveLength(1);
      expect(r.breaches[0]).toMatchObject({ threshold: 'storage-growth', limit: 10 });
      expect(r.breaches[0].measured).toBeCloseTo(20, 0);
      expect(r.evidence.growthPercent).toBe(r.breaches[0].measured);
    });
  });

  describe('checkBackups', () => {
    it('warns when WAL archiving is off (the embedded server)', async () => {
      const mode = (await db.pool.query<{ archive_mode: string }>('SHOW archive_mode')).rows[0].archive_mode;
      const r = await checkBackups(db.pool);
      expect(r.evidence.archive_mode).toBe(mode);
      if (mode === 'off') {
        expect(r.outcome).toBe('warn');
        expect(r.summary).toBe('WAL archiving is off: no continuous backups');
      }
    });
  });

  describe('checkIndexUsage', () => {
    it('passes when unused indexes are all small', async () => {
      const r = await checkIndexUsage(db.pool);
      expect(r.outcome).toBe('pass');
      expect(r.evidence.largeUnusedCount).toBe(0);
      expect(r.evidence.unusedIndexes).toContainEqual(expect.objectContaining({ table: 'incidents', index: 'incidents_open_idx' }));
      // Unique and primary-key indexes are never reported.
      expect((r.evidence.unusedIndexes as { index: string }[]).map((i) => i.index)).not.toContain('incidents_pkey');
    });

    it('warns on an unused index over 1 MB, and stops once it is used', async () => {
      await db.pool.query('CREATE TABLE big_unindexed_use (x integer)');
      await db.pool.query('INSERT INTO big_unindexed_use SELECT g FROM generate_series(1, 100000) g');
      await db.pool.query('CREATE INDEX big_unindexed_use_x_idx ON big_unindexed_use (x)');
      const r = await checkIndexUsage(db.pool);
      expect(r.outcome).toBe('warn');
      const [largest] = r.evidence.unusedIndexes as { index: string; bytes: number }[];
      expect(largest.index).toBe('big_unindexed_use_x_idx');
      expect(largest.bytes).toBeGreaterThan(1024 * 1024);
      expect(r.evidence.largeUnusedCount).toBe(1);

      const user = await connect(db.url);
      try {
        await user.query('SET enable_seqscan = off');
        await user.query('SELECT count(*) FROM big_unindexed_use WHERE x = 42');
        await user.query('SELECT pg_stat_force_next_flush()');
        await user.query('SELECT 1');
      } finally {
        await user.end();
      }
      await waitFor('the index scan to reach the statistics', async () => {
        const { rows } = await db.pool.query<{ idx_scan: string }>(
          "SELECT idx_scan::text FROM pg_stat_user_indexes WHERE indexrelname = 'big_unindexed_use_x_idx'",
        );
        return Number(rows[0].idx_scan) > 0;
      });
      const after = await checkIndexUsage(db.pool);
      expect(after.outcome).toBe('pass');
      expect((after.evidence.unusedIndexes as { index: string }[]).map((i) => i.index)).not.toContain('big_unindexed_use_x_idx');
    });
  });

  describe('checkResourceUtilisation', () => {
    it('passes with a warm cache and no deadlocks', async () => {
      await db.pool.query('SELECT pg_stat_reset()');
      for (let i = 0; i < 5; i++) await db.pool.query('SELECT count(*) FROM jobs');
      const r = await checkResourceUtilisation(db.pool);
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ deadlocks: 0, deadlockLimit: 0, cacheHitWarnRatio: 0.9, cacheMinBlocks: 1000 });
      const { blks_read, blks_hit, cacheHitRatio } = r.evidence as { blks_read: number; blks_hit: number; cacheHitRatio: number | null };
      if (blks_read + blks_hit > 0) expect(cacheHitRatio).toBeCloseTo(blks_hit / (blks_read + blks_hit), 3);
    });

    it('warns after a real deadlock, counting the rollback', async () => {
      await db.pool.query('CREATE TABLE deadlock_pair (id integer PRIMARY KEY, v integer)');
      await db.pool.query('INSERT INTO deadlock_pair VALUES (1, 0), (2, 0)');
      const a = await connect(db.url);
      const b = await connect(db.url);
      const aPid = await backendPid(a);
      try {
        await a.query('BEGIN');
        await b.query('BEGIN');
        await a.query('UPDATE deadlock_pair SET v = 1 WHERE id = 1');
        await b.query('UPDATE deadlock_pair SET v = 1 WHERE id = 2');
        const aWaits = a.query('UPDATE deadlock_pair SET v = 2 WHERE id = 2').then(
          () => null,
          (e: Error) => e,
        );
        await waitFor(
          'a to wait on b',
          async () =>
            (await db.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND cardinality(pg_blocking_pids(pid)) > 0', [aPid]))
              .rowCount,
        );
        const bWaits = b.query('UPDATE deadlock_pair SET v = 2 WHERE id = 1').then(
          () => null,
          (e: Error) => e,
        );
        // One of the two is chosen as the victim and errors; the other stays blocked until the victim rolls back.
        const victim = await Promise.race([
          aWaits.then((e) => ({ c: a, e, survivor: b, done: bWaits })),
          bWaits.then((e) => ({ c: b, e, survivor: a, done: aWaits })),
        ]);
        expect(String(victim.e)).toMatch(/deadlock detected/);
        await victim.c.query('ROLLBACK');
        expect(await victim.done).toBeNull();
        await victim.survivor.query('ROLLBACK');
        for (const c of [a, b]) {
          await c.query('SELECT pg_stat_force_next_flush()');
          await c.query('SELECT 1');
        }
      } finally {
        await a.end();
        await b.end();
      }
      const r = await waitFor('the deadlock to reach pg_stat_database', async () => {
        const res = await checkResourceUtilisation(db.pool);
        return (res.evidence.deadlocks as number) > 0 && res;
      });
      expect(r.outcome).toBe('warn');
      expect(r.evidence.deadlocks).toBe(1);
      expect(r.summary).toContain('1 deadlock(s)');
      expect(r.evidence.xact_rollback as number).toBeGreaterThanOrEqual(1);
      expect(r.evidence.rollbackRatio as number).toBeGreaterThan(0);
    });
  });

  describe('checkSecurityEvents', () => {
    let other: Client;
    let otherPid: number;
    let superuser: boolean;
    beforeAll(async () => {
      other = await connect(db.url);
      otherPid = await backendPid(other);
      superuser = (await other.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0].s;
    });
    afterAll(() => other?.end());

    it('breaches on a TCP connection from outside the allowed networks, and on other superuser sessions', async () => {
      const r = await checkSecurityEvents(db.pool, { allowedCidrs: ['10.0.0.0/8'] });
      expect(r.outcome).toBe('fail');
      const disallowed = r.evidence.disallowedAddresses as Session[];
      expect(disallowed).toContainEqual(expect.objectContaining({ pid: otherPid, client_addr: '127.0.0.1' }));
      expect(securityBreach(r, 'address')).toMatchObject({ threshold: 'security', measured: disallowed.length, limit: 0 });

      // The embedded server's only role is the superuser 'postgres': every other session of this run is one.
      const supers = r.evidence.superuserSessions as Session[];
      if (superuser) {
        expect(supers).toContainEqual(expect.objectContaining({ pid: otherPid }));
        expect(securityBreach(r, 'superuser')).toMatchObject({ threshold: 'security', measured: supers.length, limit: 0 });
      }
      // A one-connection pool makes the checker's own backend known: it is never reported.
      const single = new Pool({ connectionString: db.url, max: 1 });
      try {
        const checkerPid = (await single.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        const own = await checkSecurityEvents(single, { allowedCidrs: ['10.0.0.0/8'] });
        expect(own.evidence.disallowedAddresses).toContainEqual(expect.objectContaining({ pid: otherPid }));
        const reported = [...(own.evidence.superuserSessions as Session[]), ...(own.evidence.disallowedAddresses as Session[])].map(
          (s) => s.pid,
        );
        expect(reported).not.toContain(checkerPid);
      } finally {
        await single.end();
      }
      const password = decodeURIComponent(new URL(db.url).password);
      if (password) expect(JSON.stringify(r)).not.toContain(password);
    });

    it('has no address breach when loopback is allowed', async () => {
      const r = await checkSecurityEvents(db.pool, { allowedCidrs: ['127.0.0.0/8', '::1/128'] });
      expect(r.evidence.disallowedAddresses).toEqual([]);
      expect(securityBreach(r, 'address')).toBeUndefined();
      expect(r.evidence.fullVisibility).toBe(true);
      // What remains is whatever superuser sessions really are there.
      expect(r.outcome).toBe((r.evidence.superuserSessions as Session[]).length ? 'fail' : 'pass');
    });

    it('shows sessions of an expected superuser role without flagging them', async () => {
      const role = (await other.query<{ u: string }>('SELECT current_user AS u')).rows[0].u;
      const r = await checkSecurityEvents(db.pool, { allowedCidrs: ['127.0.0.0/8', '::1/128'], allowedSuperusers: [role] });
      expect(r.evidence.superuserSessions as Session[]).not.toContainEqual(expect.objectContaining({ pid: otherPid }));
      if (superuser) expect(r.evidence.expectedSuperuserSessions).toBeGreaterThanOrEqual(1);
      expect(securityBreach(r, 'superuser')).toBeUndefined();
    });
  });
});

describe('database checks without the monitoring tables', () => {
  let bare: TestDatabase;
  beforeAll(async () => {
    bare = await createTestDatabase('checks_bare');
    await bare.pool.query('DROP TABLE jobs, email_messages, connection_pool_metrics, connection_pool_config');
  });
  afterAll(() => bare?.drop());

  it('reports the queue and content checks as warnings with tableMissing', async () => {
    const q = await checkQueueHealth(bare.pool);
    expect(q.outcome).toBe('warn');
    expect(q.evidence).toMatchObject({ tableMissing: true, queueBacklog: 100 });
    const c = await checkContentRetention(bare.pool);
    expect(c.outcome).toBe('warn');
    expect(c.evidence).toMatchObject({ tableMissing: true });
  });

  it('measures pools on the server itself', async () => {
    const r = await checkConnectionPools(bare.pool, { tier: 'oltp' });
    expect(r.evidence).toMatchObject({ source: 'server', fallbackReason: 'monitoring tables missing' });
    expect(r.outcome).toBe('pass');
  });
});

/**
 * Archiving and pg_stat_statements need server settings (archive_mode, shared_preload_libraries) that only a
 * restart applies, so these run on a private PostgreSQL of their own rather than the run's shared one.
 */
describe('database checks on a server with WAL archiving and pg_stat_statements', () => {
  let scratch: string;
  let server: RunningPostgres | undefined;
  let admin: Pool;
  let adminEnded = false;
  const log = createLogger({ level: 'warn' });
  const dir = () => path.join(scratch, 'postgres');
  const archiveTo = async (command: string) => {
    const { rows } = await admin.query<{ sql: string }>('SELECT format($1, $2::text) AS sql', [
      'ALTER SYSTEM SET archive_command = %L',
      command,
    ]);
    await admin.query(rows[0].sql);
    await admin.query('SELECT pg_reload_conf()');
    await waitFor(
      'archive_command to reload',
      async () => (await admin.query<{ c: string }>("SELECT current_setting('archive_command') AS c")).rows[0].c === command,
    );
  };
  const switchWal = async () => {
    await admin.query('CREATE TABLE IF NOT EXISTS wal_filler (x integer)');
    await admin.query('INSERT INTO wal_filler VALUES (1)');
    const { rows } = await admin.query<{ wal: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS wal');
    return rows[0].wal;
  };

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-checks-'));
    fs.chmodSync(scratch, 0o755); // the server may run as another user
    const archiveDir = path.join(scratch, 'archive');
    fs.mkdirSync(archiveDir);
    fs.chmodSync(archiveDir, 0o777);
    server = await startEmbeddedPostgres({ dir: dir(), log, persistent: true });
    let boot = new Client({ connectionString: server.url });
    await boot.connect();
    await boot.query("ALTER SYSTEM SET archive_mode = 'on'");
    await boot.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    const { rows } = await boot.query<{ sql: string }>('SELECT format($1, $2::text) AS sql', [
      'ALTER SYSTEM SET archive_command = %L',
      `cp %p ${archiveDir}/%f`,
    ]);
    await boot.query(rows[0].sql);
    await boot.end();
    await server.stop();
    server = await startEmbeddedPostgres({ dir: dir(), log, persistent: true });
    boot = new Client({ connectionString: server.url });
    await boot.connect();
    await boot.query('CREATE EXTENSION pg_stat_statements');
    await boot.end();
    admin = new Pool({ connectionString: server.url, max: 2 });
  });

  afterAll(async () => {
    if (admin && !adminEnded) await admin.end();
    await server?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  describe('checkBackups', () => {
    it('passes once a WAL segment is archived', async () => {
      const wal = await switchWal();
      const r = await waitFor('the segment to be archived', async () => {
        const res = await checkBackups(admin);
        return res.evidence.last_archived_wal === wal && res;
      });
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ archive_mode: 'on', failed_count: 0 });
      expect(r.evidence.archived_count).toBeGreaterThanOrEqual(1);
      expect(fs.existsSync(path.join(scratch, 'archive', wal))).toBe(true);
    });

    it('fails when archiving fails after the last success, and recovers', async () => {
      await archiveTo('false');
      const wal = await switchWal();
      const r = await waitFor('an archive failure', async () => {
        const res = await checkBackups(admin);
        return res.evidence.last_failed_wal === wal && res;
      });
      expect(r.outcome).toBe('fail');
      expect(r.evidence.failed_count).toBeGreaterThanOrEqual(1);
      expect(r.summary).toContain(wal);

      await archiveTo(`cp %p ${path.join(scratch, 'archive')}/%f`);
      const recovered = await waitFor('the failed segment to be archived', async () => {
        const res = await checkBackups(admin);
        return res.evidence.last_archived_wal === wal && res;
      });
      expect(recovered.outcome).toBe('pass');
      expect(recovered.evidence.failed_count).toBeGreaterThanOrEqual(1);
    });
  });

  describe('checkActiveQueries with pg_stat_statements', () => {
    it('passes when mean times are under the limit, breaches on a statement averaging over it', async () => {
      await admin.query('SELECT pg_stat_statements_reset()');
      await admin.query('SELECT pg_sleep(1.2)');
      const ok = await checkActiveQueries(admin, { scope: 'database' });
      expect(ok.outcome).toBe('pass');
      expect(ok.evidence.pgStatStatements).toEqual({ installed: true, slow: [] });

      const r = await checkActiveQueries(admin, { thresholds: { slowQuerySeconds: 1 }, scope: 'database' });
      expect(r.outcome).toBe('fail');
      expect(r.evidence.slowQueries).toEqual([]); // nothing is running now: the breach is the statement's mean time
      const [slow] = (r.evidence.pgStatStatements as { slow: { calls: number; mean_seconds: number; query_preview: string }[] }).slow;
      expect(slow).toMatchObject({ calls: 1, query_preview: 'SELECT pg_sleep($1)' });
      expect(r.breaches).toEqual([expect.objectContaining({ threshold: 'query-time', limit: 1, measured: slow.mean_seconds })]);
      expect(slow.mean_seconds).toBeGreaterThanOrEqual(1.2);
    });
  });

  describe('checkSecurityEvents with a non-superuser checker', () => {
    const password = crypto.randomUUID().replace(/-/g, '');
    let checker: Pool;
    let checkerUrl: string;
    const superusersGone = async () => {
      const { rows } = await checker.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid WHERE r.rolsuper AND a.backend_type = 'client backend'",
      );
      return rows[0].n === 0;
    };

    beforeAll(async () => {
      await admin.query(`CREATE ROLE dbops_checker LOGIN PASSWORD '${password}' IN ROLE pg_read_all_stats`);
      const url = new URL(server!.url);
      url.username = 'dbops_checker';
      url.password = password;
      checkerUrl = url.toString();
      checker = new Pool({ connectionString: checkerUrl, max: 2 });
    });
    afterAll(() => checker?.end());

    it('passes with no superuser sessions and every client on an allowed network', async () => {
      await admin.end(); // its connections are superuser sessions
      adminEnded = true;
      await waitFor('the superuser sessions to end', superusersGone);
      // Another session of the checker's role, over TCP from 127.0.0.1: a single host's /32 contains it (<<=, not the strict <<).
      const peer = await connect(checkerUrl);
      const r = await checkSecurityEvents(checker, { allowedCidrs: ['127.0.0.1/32'] }).finally(() => peer.end());
      expect(r.outcome).toBe('pass');
      expect(r.evidence).toMatchObject({ superuserSessions: [], disallowedAddresses: [], fullVisibility: true, limit: 0 });
      expect(r.breaches).toEqual([]);
    });

    it('breaches on a superuser session from outside the allowed networks', async () => {
      const su = await connect(server!.url);
      const suPid = await backendPid(su);
      try {
        await su.query("SET application_name = 'intruder'");
        const r = await checkSecurityEvents(checker, { allowedCidrs: ['10.0.0.0/8', '192.168.0.0/16'] });
        expect(r.outcome).toBe('fail');
        const intruder = { pid: suPid, usename: 'postgres', client_addr: '127.0.0.1', application_name: 'intruder' };
        expect(r.evidence.superuserSessions).toEqual([intruder]);
        expect(r.evidence.disallowedAddresses).toContainEqual(intruder); // the checker's own other connections are here too
        expect(securityBreach(r, 'superuser')).toMatchObject({ threshold: 'security', measured: 1, limit: 0 });
        expect(securityBreach(r, 'address')).toMatchObject({
          threshold: 'security',
          measured: (r.evidence.disallowedAddresses as Session[]).length,
          limit: 0,
        });
        expect(JSON.stringify(r)).not.toContain(password);
      } finally {
        await su.query('REVOKE pg_read_all_stats FROM dbops_checker');
        await su.end();
      }
    });

    it("warns when the checker cannot see other roles' sessions", async () => {
      await waitFor('the superuser sessions to end', superusersGone);
      const r = await checkSecurityEvents(checker, { allowedCidrs: ['127.0.0.0/8'] });
      expect(r.evidence.fullVisibility).toBe(false);
      expect(r.outcome).toBe('warn');
    });
  });
});
