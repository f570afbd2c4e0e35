import { findOrBuildAlertmanager, startAlertmanager } from '../dev/provision/alertmanager';
import { createLogger } from '../lib/logger';
import { uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import { startBenchIntake } from './intake';
import { alertTitle, pageRecorder } from './pageRecorder';
import { BENCH_CACHE_DIR } from './provision';
import type { BenchResult } from './report';
import { ms, percentile } from './stats';

const GROUP_WAIT_S = 2;

/**
 * Where the group's incidents go (no routing rule matches the bench's alertname, so the label decides): warnings
 * become medium incidents on olap, the ones --burst opens, to compare; criticals critical ones on oltp.
 */
const ROUTED = {
  warning: { tier: 'olap', incidents: 'a medium incident on olap (as --burst)' },
  critical: { tier: 'oltp', incidents: 'a critical incident on oltp' },
} as const;

/**
 * `--alertmanager-group N`: N alerts of one alertname posted to a real Prometheus Alertmanager, which sends them to
 * dbops' /alertmanager webhook as one group in one request (as a fleet-wide alert does). Reports when each alert's
 * incident paged, counted from the post to Alertmanager (its group_wait, 2 s, included).
 */
export async function alertmanagerGroup(ctx: BenchContext): Promise<BenchResult> {
  const n = ctx.options.alertmanagerGroup!;
  const severity = ctx.options.alertmanagerSeverity ?? 'warning';
  const routed = ROUTED[severity];
  const log = createLogger({ level: 'warn' });
  const binary = await findOrBuildAlertmanager({
    alertmanagerPath: process.env.ALERTMANAGER_PATH,
    cacheDir: BENCH_CACHE_DIR,
    log,
  });
  const recorder = pageRecorder();
  const session = await devServerSession(ctx, `bench-am-group-${Date.now()}`, { channel: recorder.channel });
  const intake = await startBenchIntake(ctx, session);
  const am = await startAlertmanager(
    binary,
    `
route:
  receiver: dbops
  group_by: [alertname]
  group_wait: ${GROUP_WAIT_S}s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: dbops
    webhook_configs:
      - url: ${intake.url}/alertmanager
        http_config:
          authorization:
            credentials: ${intake.key}
`,
  );
  try {
    const alertname = uniqueFingerprint('am-group');
    const keys = Array.from({ length: n }, (_, i) => `${alertname}-${i}`);
    const startsAt = new Date().toISOString();
    const alerts = keys.map((key, i) => ({
      labels: { alertname, instance: `db-${i}`, severity, tier: routed.tier },
      annotations: { summary: alertTitle(key), description: 'replication lag above 30 s on a fleet-wide alert' },
      startsAt,
    }));
    const posted = Date.now();
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (res.status !== 200) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    const deadline = posted + 10 * 60_000;
    // When the intake had taken the whole group: every alert's key recorded (after its incident was started).
    let allTaken = NaN;
    while (recorder.firstPage.size < n && Date.now() < deadline) {
      if (Number.isNaN(allTaken)) {
        const { rows } = await ctx.db.pool.query('SELECT count(*)::int AS n FROM alert_keys WHERE workflow_id LIKE $1', [`%${alertname}%`]);
        if (rows[0].n >= n) allTaken = Date.now() - posted;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const paged = keys.flatMap((k) => (recorder.firstPage.has(k) ? [recorder.firstPage.get(k)! - posted] : []));
    const last = paged.length ? Math.max(...paged) : NaN;
    return {
      name: `Alertmanager group of ${n}`,
      setting: `a real Alertmanager (group_wait ${GROUP_WAIT_S} s) posting ${n} ${severity} alerts as one group to /alertmanager, each ${routed.incidents}; dev server`,
      figures: [
        ['paged', `${paged.length} / ${n}`],
        ['post → page p50 / p99', `${ms(percentile(paged, 50))} / ${ms(percentile(paged, 99))}`],
        ['post → last page', ms(last)],
        ['post → every alert taken by the intake', ms(allTaken)],
      ],
      metrics: {
        [`am_group_${n}_paged`]: paged.length,
        [`am_group_${n}_page_p50_ms`]: percentile(paged, 50),
        [`am_group_${n}_last_page_ms`]: last,
        [`am_group_${n}_taken_ms`]: allTaken,
        [`alertmanager_group_${n}_${severity}_last_page_s`]: last / 1000,
      },
    };
  } finally {
    await am.stop();
    intake.close();
    await session.close();
  }
}
