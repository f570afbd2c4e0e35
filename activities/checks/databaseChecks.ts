import type { Pool } from 'pg';
import type { Outcome } from '../../runbooks/types';

/**
 * The runbook's health checks (database-operations-guide.md: First Response Procedures, Daily Operations
 * Checklist, Tier Operations, PostHog alert thresholds), each as real SQL against one tier's PostgreSQL.
 * Pure: no logging, no Temporal; a check reports what it measured and never throws for a finding.
 */

export interface Breach {
  threshold: 'query-time' | 'pool-usage' | 'queue-backlog' | 'storage-growth' | 'security';
  measured: number;
  limit: number;
  detail: string;
}

export interface CheckResult {
  outcome: Outcome;
  summary: string;
  evidence: Record<string, unknown>;
  breaches: Breach[];
}

export interface Thresholds {
  slowQuerySeconds: number;
  poolUsagePercent: number;
  queueBacklog: number;
  storageGrowthPercent: number;
  poolWarnPercent: number;
}

/** Seed, "Alert Setup": query time > 5 s, pool usage > 90 %, queue backlog > 100 jobs, storage growth > 10 % daily. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  slowQuerySeconds: 5,
  poolUsagePercent: 90,
  queueBacklog: 100,
  storageGrowthPercent: 10,
  poolWarnPercent: 75,
};

/** Seed, "Content Lifecycle Operations": the retention query looks at the last 30 days. */
export const CONTENT_RETENTION_DAYS = 30;
/** An unused index larger than this is worth a look. */
export const UNUSED_INDEX_WARN_BYTES = 1024 * 1024;
/** Below this many blocks touched, a cache hit ratio says nothing. */
export const CACHE_MIN_BLOCKS = 1000;
export const CACHE_HIT_WARN_RATIO = 0.9;

const thresholdsOf = (t?: Partial<Thresholds>): Thresholds => ({ ...DEFAULT_THRESHOLDS, ...t });
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const result = (outcome: Outcome, summary: string, evidence: Record<string, unknown>, breaches: Breach[] = []): CheckResult => ({
  outcome,
  summary,
  evidence,
  breaches,
});
const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err)) || String(err);

async function tablesExist(pool: Pool, names: string[]): Promise<boolean> {
  const { rows } = await pool.query<{ missing: number }>(
    'SELECT count(*) FILTER (WHERE to_regclass(n) IS NULL)::int AS missing FROM unnest($1::text[]) AS n',
    [names],
  );
  return rows[0].missing === 0;
}

/**
 * Seed, First Response step 3: `SELECT 1`. The timeout covers getting a connection and the answer; unreachable
 * or slower than timeoutMs is a 'fail', never a throw.
 */
export async function checkConnectivity(pool: Pool, opts: { timeoutMs?: number } = {}): Promise<CheckResult> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const attempt = pool.query<{ ok: number }>('SELECT 1 AS ok');
    attempt.catch(() => undefined); // it may settle after the timeout below has already decided
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const { rows } = await Promise.race([attempt, timeout]);
    const latencyMs = round(performance.now() - started);
    return result('pass', `database answered SELECT 1 in ${latencyMs} ms`, { reachable: true, latencyMs, result: rows[0]?.ok, timeoutMs });
  } catch (err) {
    const latencyMs = round(performance.now() - started);
    return result('fail', `database unreachable: ${errorMessage(err)}`, {
      reachable: false,
      error: errorMessage(err),
      latencyMs,
      timeoutMs,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Seed, Performance Degradation "Check active queries" (minus the checking backend), plus pg_stat_statements
 * mean execution time when that extension is installed. `scope: 'database'` limits it to the pool's database;
 * the default, like the seed, looks at the whole server.
 */
export async function checkActiveQueries(
  pool: Pool,
  opts: { thresholds?: Partial<Thresholds>; scope?: 'server' | 'database' } = {},
): Promise<CheckResult> {
  const limit = thresholdsOf(opts.thresholds).slowQuerySeconds;
  const { rows } = await pool.query<{
    pid: number;
    usename: string | null;
    datname: string | null;
    client_addr: string | null;
    query_start: Date;
    duration_seconds: number;
    query_preview: string;
  }>(
    `SELECT pid, usename, datname, host(client_addr) AS client_addr, state, query_start,
            EXTRACT(EPOCH FROM (now() - query_start))::float8 AS duration_seconds,
            left(query, 100) AS query_preview
       FROM pg_stat_activity
      WHERE state = 'active' AND pid <> pg_backend_pid() AND ($1::boolean OR datname = current_database())
      ORDER BY query_start`,
    [opts.scope !== 'database'],
  );
  const slow = rows.filter((r) => r.duration_seconds > limit).map((r) => ({ ...r, duration_seconds: round(r.duration_seconds) }));
  const breaches: Breach[] = slow.map((q) => ({
    threshold: 'query-time',
    measured: q.duration_seconds,
    limit,
    detail: `pid ${q.pid} active for ${q.duration_seconds}s: ${q.query_preview}`,
  }));

  const statements = await slowStatements(pool, limit);
  for (const s of statements.slow ?? []) {
    breaches.push({
      threshold: 'query-time',
      measured: s.mean_seconds,
      limit,
      detail: `statement ${s.queryid} averages ${s.mean_seconds}s over ${s.calls} calls: ${s.query_preview}`,
    });
  }
  const evidence = {
    activeQueries: rows.length,
    slowQueries: slow,
    slowQuerySeconds: limit,
    scope: opts.scope ?? 'server',
    pgStatStatements: statements,
  };
  if (breaches.length)
    return result('fail', `${breaches.length} quer${breaches.length === 1 ? 'y' : 'ies'} over ${limit}s`, evidence, breaches);
  return result('pass', `${rows.length} active quer${rows.length === 1 ? 'y' : 'ies'}, none over ${limit}s`, evidence);
}

async function slowStatements(pool: Pool, limitSeconds: number) {
  const ext = await pool.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
  if (!ext.rowCount) return { installed: false, note: 'pg_stat_statements is not installed: mean query times unavailable' };
  try {
    const { rows } = await pool.query<{ queryid: string; calls: string; mean_seconds: number; query_preview: string }>(
      `SELECT queryid::text, calls::text, (mean_exec_time / 1000)::float8 AS mean_seconds, left(query, 100) AS query_preview
         FROM pg_stat_statements WHERE mean_exec_time > $1 * 1000 ORDER BY mean_exec_time DESC LIMIT 20`,
      [limitSeconds],
    );
    return { installed: true, slow: rows.map((r) => ({ ...r, calls: Number(r.calls), mean_seconds: round(r.mean_seconds) })) };
  } catch (err) {
    // Installed but not in shared_preload_libraries: the view exists and refuses to answer.
    return { installed: true, error: errorMessage(err) };
  }
}

/**
 * Seed, OLTP "Check OLTP pool status" for any tier, latest metrics row per pool in the last 5 minutes. Without
 * the monitoring tables or recent rows for the tier, it measures the server itself: backends vs max_connections.
 */
export async function checkConnectionPools(pool: Pool, opts: { tier: string; thresholds?: Partial<Thresholds> }): Promise<CheckResult> {
  const t = thresholdsOf(opts.thresholds);
  let pools: {
    pool_name: string;
    min_connections?: number;
    max_connections: number;
    active_connections: number;
    idle_connections?: number;
    usage_percent: number;
    pending_acquires?: number;
    collected_at?: Date;
  }[] = [];
  let source: 'pool-metrics' | 'server' = 'pool-metrics';
  let fallbackReason: string | undefined;
  if (!(await tablesExist(pool, ['connection_pool_config', 'connection_pool_metrics']))) fallbackReason = 'monitoring tables missing';
  else {
    ({ rows: pools } = await pool.query(
      `SELECT DISTINCT ON (cpc.id) cpc.pool_name, cpc.min_connections, cpc.max_connections, cpm.active_connections,
              cpm.idle_connections, cpm.connection_usage_rate::float8 AS usage_percent, cpm.pending_acquires, cpm.collected_at
         FROM connection_pool_config cpc
         JOIN connection_pool_metrics cpm ON cpc.id = cpm.pool_config_id
        WHERE cpc.tier = $1 AND cpm.collected_at >= NOW() - INTERVAL '5 minutes'
        ORDER BY cpc.id, cpm.collected_at DESC, cpm.id DESC`,
      [opts.tier],
    ));
    if (!pools.length) fallbackReason = `no pool metrics for tier '${opts.tier}' in the last 5 minutes`;
  }
  if (fallbackReason) {
    source = 'server';
    const { rows } = await pool.query<{ connections: number; max_connections: number }>(
      `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
              current_setting('max_connections')::int AS max_connections`,
    );
    const { connections, max_connections } = rows[0];
    pools = [
      {
        pool_name: 'server',
        max_connections,
        active_connections: connections,
        usage_percent: round((connections / max_connections) * 100),
      },
    ];
  }
  const breaches: Breach[] = pools
    .filter((p) => p.usage_percent > t.poolUsagePercent)
    .map((p) => ({
      threshold: 'pool-usage',
      measured: p.usage_percent,
      limit: t.poolUsagePercent,
      detail: `${opts.tier} pool ${p.pool_name} at ${p.usage_percent}% of ${p.max_connections} connections`,
    }));
  const warned = pools.filter((p) => p.usage_percent > t.poolWarnPercent && p.usage_percent <= t.poolUsagePercent);
  const evidence = {
    tier: opts.tier,
    source,
    fallbackReason,
    pools,
    poolUsagePercent: t.poolUsagePercent,
    poolWarnPercent: t.poolWarnPercent,
  };
  const peak = Math.max(...pools.map((p) => p.usage_percent));
  if (breaches.length)
    return result('fail', `${breaches.length} ${opts.tier} pool(s) over ${t.poolUsagePercent}% (${source})`, evidence, breaches);
  if (warned.length) return result('warn', `${warned.length} ${opts.tier} pool(s) over ${t.poolWarnPercent}% (${source})`, evidence);
  return result('pass', `${opts.tier} pools healthy, peak ${peak}% (${source})`, evidence);
}

const PRIORITY_ORDER = `CASE priority WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 WHEN 'low' THEN 4 ELSE 5 END`;

/** Seed, "Queue Health Monitoring" (completed in the last hour, by priority) plus the queued backlog by priority. */
export async function checkQueueHealth(pool: Pool, opts: { thresholds?: Partial<Thresholds> } = {}): Promise<CheckResult> {
  const limit = thresholdsOf(opts.thresholds).queueBacklog;
  if (!(await tablesExist(pool, ['jobs'])))
    return result('warn', 'jobs table missing: queue health unknown', { tableMissing: true, queueBacklog: limit });
  const completed = await pool.query<{ priority: string; job_count: number; avg_processing_time_seconds: number | null; oldest_job: Date }>(
    `SELECT priority, COUNT(*)::int AS job_count,
            AVG(EXTRACT(EPOCH FROM (completed - created)))::float8 AS avg_processing_time_seconds,
            MIN(created) AS oldest_job
       FROM jobs
      WHERE status = 'completed' AND created >= NOW() - INTERVAL '1 hour'
      GROUP BY priority ORDER BY ${PRIORITY_ORDER}`,
  );
  const queued = await pool.query<{ priority: string; queued: number; oldest_queued: Date }>(
    `SELECT priority, COUNT(*)::int AS queued, MIN(created) AS oldest_queued
       FROM jobs WHERE status = 'queued' GROUP BY priority ORDER BY ${PRIORITY_ORDER}`,
  );
  const backlog = queued.rows.reduce((n, r) => n + r.queued, 0);
  const evidence = { backlog, queueBacklog: limit, backlogByPriority: queued.rows, completedLastHour: completed.rows };
  if (backlog > limit) {
    return result('fail', `queue backlog ${backlog} jobs (limit ${limit})`, evidence, [
      { threshold: 'queue-backlog', measured: backlog, limit, detail: `${backlog} queued jobs` },
    ]);
  }
  return result(
    'pass',
    `queue backlog ${backlog} jobs, ${completed.rows.reduce((n, r) => n + r.job_count, 0)} completed in the last hour`,
    evidence,
  );
}

/** Seed, "Content Lifecycle Operations": last 30 days per day, plus messages past the 30 days (retention overdue). */
export async function checkContentRetention(pool: Pool): Promise<CheckResult> {
  if (!(await tablesExist(pool, ['email_messages'])))
    return result('warn', 'email_messages table missing: content retention unknown', {
      tableMissing: true,
      retentionDays: CONTENT_RETENTION_DAYS,
    });
  const days = await pool.query<{ content_date: string; total_messages: number; avg_content_size: number; earliest: Date; latest: Date }>(
    `SELECT to_char(DATE(created), 'YYYY-MM-DD') AS content_date, COUNT(*)::int AS total_messages,
            AVG(LENGTH(content))::float8 AS avg_content_size, MIN(created) AS earliest, MAX(created) AS latest
       FROM email_messages
      WHERE created >= NOW() - make_interval(days => $1)
      GROUP BY DATE(created) ORDER BY DATE(created) DESC`,
    [CONTENT_RETENTION_DAYS],
  );
  const overdue = await pool.query<{ overdue: number; oldest: Date | null }>(
    'SELECT COUNT(*)::int AS overdue, MIN(created) AS oldest FROM email_messages WHERE created < NOW() - make_interval(days => $1)',
    [CONTENT_RETENTION_DAYS],
  );
  const { overdue: overdueCount, oldest } = overdue.rows[0];
  const evidence = { retentionDays: CONTENT_RETENTION_DAYS, days: days.rows, overdueCount, oldestOverdue: oldest };
  if (overdueCount > 0)
    return result('warn', `${overdueCount} message(s) older than ${CONTENT_RETENTION_DAYS} days: retention overdue`, evidence);
  return result(
    'pass',
    `${days.rows.reduce((n, d) => n + d.total_messages, 0)} messages in the last ${CONTENT_RETENTION_DAYS} days, none overdue`,
    evidence,
  );
}

/** Daily checklist "Storage Usage": database size, and growth against a previous reading (seed: > 10 % daily). */
export async function checkStorageGrowth(
  pool: Pool,
  opts: { previousBytes?: number; thresholds?: Partial<Thresholds> } = {},
): Promise<CheckResult> {
  const limit = thresholdsOf(opts.thresholds).storageGrowthPercent;
  const { rows } = await pool.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
  const bytes = Number(rows[0].bytes);
  const previousBytes = opts.previousBytes && opts.previousBytes > 0 ? opts.previousBytes : null;
  const growthPercent = previousBytes === null ? null : round(((bytes - previousBytes) / previousBytes) * 100);
  const evidence = { bytes, previousBytes, growthPercent, storageGrowthPercent: limit };
  if (growthPercent !== null && growthPercent > limit) {
    return result('fail', `database grew ${growthPercent}% (limit ${limit}%)`, evidence, [
      { threshold: 'storage-growth', measured: growthPercent, limit, detail: `${previousBytes} → ${bytes} bytes` },
    ]);
  }
  return result(
    'pass',
    growthPercent === null ? `database is ${bytes} bytes (no previous reading)` : `database is ${bytes} bytes, grew ${growthPercent}%`,
    evidence,
  );
}

/** Daily checklist "Backup Verification": continuous WAL archiving is on and its last attempt succeeded. */
export async function checkBackups(pool: Pool): Promise<CheckResult> {
  const { rows } = await pool.query<{
    archive_mode: string;
    archived_count: string;
    last_archived_wal: string | null;
    last_archived_time: Date | null;
    failed_count: string;
    last_failed_wal: string | null;
    last_failed_time: Date | null;
    seconds_since_archive: number | null;
  }>(
    `SELECT current_setting('archive_mode') AS archive_mode, archived_count::text, last_archived_wal, last_archived_time,
            failed_count::text, last_failed_wal, last_failed_time,
            EXTRACT(EPOCH FROM (now() - last_archived_time))::float8 AS seconds_since_archive
       FROM pg_stat_archiver`,
  );
  const r = rows[0];
  const evidence = { ...r, archived_count: Number(r.archived_count), failed_count: Number(r.failed_count) };
  if (r.archive_mode === 'off') return result('warn', 'WAL archiving is off: no continuous backups', evidence);
  if (r.last_failed_time && (!r.last_archived_time || r.last_failed_time > r.last_archived_time)) {
    return result(
      'fail',
      `WAL archiving is failing: ${r.last_failed_wal} failed at ${r.last_failed_time.toISOString()} (${evidence.failed_count} failures)`,
      evidence,
    );
  }
  if (!r.last_archived_time) return result('warn', 'WAL archiving is on but nothing has been archived yet', evidence);
  return result('pass', `last WAL segment ${r.last_archived_wal} archived at ${r.last_archived_time.toISOString()}`, evidence);
}

/** Midday "Index Usage": indexes never scanned (not unique or primary), largest first. */
export async function checkIndexUsage(pool: Pool): Promise<CheckResult> {
  const { rows } = await pool.query<{ schema: string; table: string; index: string; bytes: string }>(
    `SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS index, pg_relation_size(s.indexrelid)::text AS bytes
       FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
      WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
      ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname`,
  );
  const unused = rows.map((r) => ({ ...r, bytes: Number(r.bytes) }));
  const large = unused.filter((r) => r.bytes > UNUSED_INDEX_WARN_BYTES);
  const evidence = {
    unusedCount: unused.length,
    unusedIndexes: unused.slice(0, 20),
    largeUnusedCount: large.length,
    warnBytes: UNUSED_INDEX_WARN_BYTES,
  };
  if (large.length)
    return result('warn', `${large.length} unused index(es) over 1 MB, largest ${large[0].index} (${large[0].bytes} bytes)`, evidence);
  return result('pass', `${unused.length} unused index(es), none over 1 MB`, evidence);
}

/** Midday "Resource Utilization", as the database sees it: cache hits, deadlocks, rollbacks, temp files. */
export async function checkResourceUtilisation(pool: Pool): Promise<CheckResult> {
  const { rows } = await pool.query<
    Record<'blks_read' | 'blks_hit' | 'xact_commit' | 'xact_rollback' | 'deadlocks' | 'temp_files' | 'temp_bytes', string>
  >(
    `SELECT blks_read::text, blks_hit::text, xact_commit::text, xact_rollback::text, deadlocks::text, temp_files::text, temp_bytes::text
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const s = Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)])) as Record<keyof (typeof rows)[0], number>;
  const blocks = s.blks_read + s.blks_hit;
  const cacheHitRatio = blocks ? round(s.blks_hit / blocks, 4) : null;
  const xacts = s.xact_commit + s.xact_rollback;
  const rollbackRatio = xacts ? round(s.xact_rollback / xacts, 4) : null;
  const evidence = {
    ...s,
    cacheHitRatio,
    rollbackRatio,
    cacheHitWarnRatio: CACHE_HIT_WARN_RATIO,
    cacheMinBlocks: CACHE_MIN_BLOCKS,
    deadlockLimit: 0,
  };
  const problems = [
    ...(cacheHitRatio !== null && blocks > CACHE_MIN_BLOCKS && cacheHitRatio < CACHE_HIT_WARN_RATIO
      ? [`cache hit ratio ${cacheHitRatio} < ${CACHE_HIT_WARN_RATIO}`]
      : []),
    ...(s.deadlocks > 0 ? [`${s.deadlocks} deadlock(s)`] : []),
  ];
  if (problems.length) return result('warn', problems.join('; '), evidence);
  return result('pass', `cache hit ratio ${cacheHitRatio ?? 'n/a'}, no deadlocks`, evidence);
}

/**
 * Midday "Security Events": client sessions of superusers other than this check's own, and TCP clients outside
 * the allowed networks (local socket sessions have no address and pass). Without superuser or pg_read_all_stats
 * the checker cannot see other roles' addresses, which is a 'warn'.
 */
export async function checkSecurityEvents(
  pool: Pool,
  opts: { allowedCidrs: string[]; allowedSuperusers?: string[] },
): Promise<CheckResult> {
  const { rows } = await pool.query<{
    pid: number;
    usename: string | null;
    client_addr: string | null;
    application_name: string;
    superuser: boolean;
    allowed_addr: boolean;
  }>(
    `SELECT a.pid, a.usename, host(a.client_addr) AS client_addr, a.application_name, coalesce(r.rolsuper, false) AS superuser,
            (a.client_addr IS NULL OR a.client_addr <<= ANY($1::cidr[])) AS allowed_addr
       FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
      WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
        AND (r.rolsuper OR NOT (a.client_addr IS NULL OR a.client_addr <<= ANY($1::cidr[])))`,
    [opts.allowedCidrs],
  );
  const vis = await pool.query<{ full: boolean }>(
    "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role('pg_read_all_stats', 'MEMBER') AS full",
  );
  const pick = ({ pid, usename, client_addr, application_name }: (typeof rows)[0]) => ({ pid, usename, client_addr, application_name });
  // Roles the operator expects to hold superuser (e.g. the embedded demo server's own) are shown, not flagged.
  const expected = new Set(opts.allowedSuperusers ?? []);
  const superuserSessions = rows.filter((r) => r.superuser && !expected.has(r.usename ?? '')).map(pick);
  const expectedSuperuserSessions = rows.filter((r) => r.superuser && expected.has(r.usename ?? '')).length;
  const disallowedAddresses = rows.filter((r) => !r.allowed_addr).map(pick);
  const breaches: Breach[] = [];
  if (superuserSessions.length)
    breaches.push({
      threshold: 'security',
      measured: superuserSessions.length,
      limit: 0,
      detail: `superuser sessions: ${superuserSessions.map((s) => `${s.usename}@${s.client_addr ?? 'local'} (${s.application_name || 'no application name'})`).join(', ')}`,
    });
  if (disallowedAddresses.length)
    breaches.push({
      threshold: 'security',
      measured: disallowedAddresses.length,
      limit: 0,
      detail: `connections from outside ${opts.allowedCidrs.join(', ') || 'any allowed network'}: ${disallowedAddresses.map((s) => `${s.usename}@${s.client_addr}`).join(', ')}`,
    });
  const evidence = {
    allowedCidrs: opts.allowedCidrs,
    allowedSuperusers: [...expected],
    superuserSessions,
    expectedSuperuserSessions,
    disallowedAddresses,
    fullVisibility: vis.rows[0].full,
    limit: 0,
  };
  if (breaches.length)
    return result(
      'fail',
      `${superuserSessions.length} other superuser session(s), ${disallowedAddresses.length} connection(s) from disallowed addresses`,
      evidence,
      breaches,
    );
  if (!vis.rows[0].full)
    return result('warn', "no security findings, but the checker cannot see other roles' sessions (needs pg_read_all_stats)", evidence);
  return result('pass', 'no other superuser sessions, all connections from allowed networks', evidence);
}
