import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '../../lib/logger';
import { InvalidRequestError, openIncident, parseIncidentRequest, type OpenIncidentContext } from '../incidents/openIncident';

/**
 * The alert intake: monitoring systems POST an alert and get the incident it opened or joined.
 * Body: { type, tier, severity?, fingerprint?, title?, summary?, by? }.
 */
export function createIntakeApp(ctx: OpenIncidentContext, log: Logger) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.post('/alerts', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body must be JSON: { "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"? }' }, 400);
    }
    try {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('body must be a JSON object');
      const request = parseIncidentRequest({ by: 'alert-webhook', ...body, source: 'webhook' });
      const { workflowId } = await openIncident(ctx, request);
      log.info({ workflowId }, 'alert accepted');
      return c.json({ workflowId }, 202);
    } catch (err) {
      if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
      log.error({ err }, 'alert intake failed');
      return c.json({ error: 'could not open the incident; the alert was not recorded, send it again' }, 503);
    }
  });
  return app;
}

export function startIntake(app: Hono, port: number, hostname = '127.0.0.1'): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server));
  });
}
