import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '../../lib/logger';
import { MAX_BODY_BYTES } from '../../runbooks/limits';
import { InvalidRequestError, openIncident, parseIncidentRequest, type OpenIncidentContext } from '../incidents/openIncident';

const BODY_SHAPE = '{ "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"?, "by"?, "firedAt"? }';

// application/json, with or without parameters (charset), or a structured +json type.
const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * The alert intake: monitoring systems POST an alert and get the incident it opened or joined.
 * Body: { type, tier, severity?, fingerprint?, title?, summary?, by?, firedAt? }. A refused alert (413, 415, 400) starts nothing.
 */
export function createIntakeApp(ctx: OpenIncidentContext, log: Logger) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.post(
    '/alerts',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `body is larger than ${MAX_BODY_BYTES} bytes; an alert must fit in ${MAX_BODY_BYTES}` }, 413),
    }),
    async (c) => {
      // Before the body is read: the incident's clocks start when the alert arrived.
      const receivedAt = new Date();
      const contentType = c.req.header('content-type') ?? '';
      if (!JSON_CONTENT_TYPE.test(contentType)) {
        return c.json({ error: `content-type is '${contentType || '(none)'}'; only application/json is accepted: ${BODY_SHAPE}` }, 415);
      }
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json({ error: `body must be valid JSON: ${BODY_SHAPE}` }, 400);
      }
      try {
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new InvalidRequestError(`body must be a JSON object: ${BODY_SHAPE}`);
        const request = parseIncidentRequest({ by: 'alert-webhook', ...body, source: 'webhook' });
        const { workflowId } = await openIncident(ctx, request, receivedAt);
        log.info({ workflowId }, 'alert accepted');
        return c.json({ workflowId }, 202);
      } catch (err) {
        if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
        log.error({ err }, 'alert intake failed');
        return c.json({ error: 'could not open the incident; the alert was not recorded, send it again' }, 503);
      }
    },
  );
  return app;
}

export function startIntake(app: Hono, port: number, hostname = '127.0.0.1'): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server));
  });
}
