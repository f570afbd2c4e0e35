import { Hono, type Env } from 'hono';
import type { Pool } from 'pg';
import type { Connection } from '@temporalio/client';
import { runHealthChecks } from '../../lib/healthChecks';
import { LabelledCounter, renderMetrics } from '../../lib/prometheus';

/**
 * The intake's operations routes around its app: /healthz (the process answers), /readyz (and reaches Temporal and
 * the audit store, naming the one that does not answer), and /metrics counting alerts accepted and refused by HTTP status.
 */
export function withOperations<E extends Env>(intake: Hono<E>, o: { connection: Connection; pool?: Pool }): Hono<E> {
  const accepted = new LabelledCounter('dbops_alerts_accepted_total', 'Alerts that opened or joined an incident.', 'status');
  const refused = new LabelledCounter(
    'dbops_alerts_refused_total',
    'Alerts refused (bad body, too large, wrong type, or Temporal down), by HTTP status.',
    'status',
  );
  const app = new Hono<E>();
  // Every alert intake: dbops' own, PagerDuty's Events API v2, Alertmanager's and Grafana's webhooks.
  for (const path of ['/alerts', '/v2/enqueue', '/alertmanager', '/grafana']) {
    app.use(path, async (c, next) => {
      await next();
      if (c.req.method !== 'POST') return;
      (c.res.status < 300 ? accepted : refused).inc(String(c.res.status));
    });
  }
  app.get('/healthz', (c) => c.json({ ok: true, checks: { process: 'ok' } }));
  app.get('/readyz', async (c) => {
    const report = await runHealthChecks({
      temporal: () => o.connection.healthService.check({}),
      ...(o.pool ? { auditStore: () => o.pool!.query('SELECT 1') } : {}),
    });
    return c.json(report, report.ok ? 200 : 503);
  });
  app.get('/metrics', (c) =>
    c.text(renderMetrics([accepted.family(), refused.family()]), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  );
  app.route('/', intake);
  return app;
}
