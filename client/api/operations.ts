import { Hono } from 'hono';
import type { Connection } from '@temporalio/client';
import { runHealthChecks } from '../../lib/healthChecks';
import { LabelledCounter, renderMetrics } from '../../lib/prometheus';

/**
 * The intake's operations routes around its app: /healthz (the process answers), /readyz (and reaches Temporal,
 * naming it when it does not), and /metrics counting alerts accepted and refused by HTTP status.
 */
export function withOperations(intake: Hono, o: { connection: Connection }): Hono {
  const accepted = new LabelledCounter('dbops_alerts_accepted_total', 'Alerts that opened or joined an incident.', 'status');
  const refused = new LabelledCounter(
    'dbops_alerts_refused_total',
    'Alerts refused (bad body, too large, wrong type, or Temporal down), by HTTP status.',
    'status',
  );
  const app = new Hono();
  app.use('/alerts', async (c, next) => {
    await next();
    if (c.req.method !== 'POST') return;
    (c.res.status < 300 ? accepted : refused).inc(String(c.res.status));
  });
  app.get('/healthz', (c) => c.json({ ok: true, checks: { process: 'ok' } }));
  app.get('/readyz', async (c) => {
    const report = await runHealthChecks({ temporal: () => o.connection.healthService.check({}) });
    return c.json(report, report.ok ? 200 : 503);
  });
  app.get('/metrics', (c) =>
    c.text(renderMetrics([accepted.family(), refused.family()]), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  );
  app.route('/', intake);
  return app;
}
