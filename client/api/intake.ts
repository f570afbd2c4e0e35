import fs from 'node:fs';
import { createServer } from 'node:https';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { serve, type ServerType } from '@hono/node-server';
import type { Pool } from 'pg';
import type { Logger } from '../../lib/logger';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { SchedulesInForce } from '../../lib/schedules';
import { MAX_BODY_BYTES } from '../../runbooks/limits';
import { InvalidRequestError, openIncident, parseIncidentRequest, type OpenIncidentContext } from '../incidents/openIncident';
import { BUILT_IN_ROUTING, type RoutingConfig } from '../../runbooks/alertRouting';
import { alertRoutes } from './alertRoutes';
import { integrationAuth, callingIntegration, personAuth, stampReceivedAt, type ApiEnv, type AuthDeps } from './authenticate';
import { checklistRoutes } from './checklistRoutes';
import { incidentRoutes } from './incidentRoutes';
import { onCallRoutes } from './onCallRoutes';
import { linkFailedPage, loggablePath, pageLinkRoutes } from './pageLinkRoutes';
import { createRateLimiter } from './rateLimiter';
import { createRefusalLog } from './refusalLog';

const BODY_SHAPE = '{ "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"?, "firedAt"? }';

// application/json, with or without parameters (charset), or a structured +json type.
const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** What the API needs: Temporal (to open and act), the audit store (credentials), and the roster in force. */
export interface ApiContext extends Omit<OpenIncidentContext, 'roster'> {
  pool: Pool;
  roster: () => RosterInForce;
  /** The on-call schedules in force (DBOPS_SCHEDULES); absent: every role is held by its people on the roster. */
  schedules?: () => SchedulesInForce;
  /** Requests a minute per credential (bursts up to as many); more get 429 with Retry-After. */
  rateLimitPerMinute: number;
  /** How monitoring alerts become incidents (DBOPS_ROUTING); default: the built-in routing. */
  routing?: RoutingConfig;
  now?: () => number;
  /** DBOPS_LINK_SECRET: verifies the ack and open links in pages (/links/…); unset, those links are refused. */
  pageLinkSecret?: string;
}

/** A body that is not JSON: 415 for another content type, 400 for text that does not parse. */
export class BodyNotJsonError extends Error {
  constructor(
    readonly status: 400 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The body parsed as JSON (any value), or BodyNotJsonError saying why not. */
export async function readJson(c: Context): Promise<unknown> {
  const contentType = c.req.header('content-type') ?? '';
  if (!JSON_CONTENT_TYPE.test(contentType))
    throw new BodyNotJsonError(415, `content-type is '${contentType || '(none)'}'; only application/json is accepted`);
  try {
    return JSON.parse(await c.req.text());
  } catch {
    throw new BodyNotJsonError(400, 'body must be valid JSON');
  }
}

/** The body of a request as a JSON object, or the response that refuses it (415, 400), naming the expected shape. */
export async function jsonBody(c: Context, shape: string): Promise<Record<string, unknown> | Response> {
  let body: unknown;
  try {
    body = await readJson(c);
  } catch (err) {
    if (err instanceof BodyNotJsonError) return c.json({ error: `${err.message}: ${shape}` }, err.status);
    throw err;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return c.json({ error: `body must be a JSON object: ${shape}` }, 400);
  return body as Record<string, unknown>;
}

/** Refuses (413) a body over `maxSize` bytes before it is read whole. */
export const limitBodyTo = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: `body is larger than ${maxSize} bytes; a request must fit in ${maxSize}` }, 413),
  });

export const limitBody = limitBodyTo(MAX_BODY_BYTES);

/**
 * The dbops API. Alert sources POST /alerts with their integration key; people act on incidents (/incidents…) with
 * their personal token. Whoever acts is who the credential names: no body field can choose it. A refused request
 * (401, 403, 413, 415, 400, 429) starts nothing and records nothing.
 */
export function createIntakeApp(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const deps: AuthDeps = {
    pool: ctx.pool,
    roster: ctx.roster,
    limiter: createRateLimiter(ctx.rateLimitPerMinute, ctx.now),
    refusals: createRefusalLog(log),
    log,
    now: ctx.now,
  };
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Credentials are checked before the body is parsed; the body limit first, as a signature covers the body.
  app.post('/alerts', stampReceivedAt, limitBody, integrationAuth(deps), async (c) => {
    const body = await jsonBody(c, BODY_SHAPE);
    if (body instanceof Response) return body;
    const integration = callingIntegration(c);
    try {
      if ('by' in body) throw new InvalidRequestError(`by is not accepted: the sender is the integration the key names ('${integration}')`);
      const request = parseIncidentRequest({ ...body, by: `integration:${integration}`, source: 'webhook' });
      const { workflowId } = await openIncident({ ...ctx, roster: ctx.roster().roster }, request, c.get('receivedAt'));
      log.info({ workflowId, integration }, 'alert accepted');
      return c.json({ workflowId }, 202);
    } catch (err) {
      if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
      log.error({ err }, 'alert intake failed');
      return c.json({ error: 'could not open the incident; the alert was not recorded, send it again' }, 503);
    }
  });
  alertRoutes(
    app,
    {
      client: ctx.client,
      taskQueue: ctx.taskQueue,
      pool: ctx.pool,
      roster: () => ctx.roster().roster,
      calendar: ctx.calendar,
      routing: ctx.routing ?? BUILT_IN_ROUTING,
    },
    deps,
    log,
  );
  // '/incidents/*' matches '/incidents' itself as well: one registration, so a request is checked (and counted) once.
  app.use('/incidents/*', stampReceivedAt, limitBody, personAuth(deps));
  app.route('/incidents', incidentRoutes(ctx, log));
  // Page links authenticate by their signature (for one person and one incident), not by a token.
  app.use('/links/*', limitBody);
  app.route('/links', pageLinkRoutes(ctx, log, deps.limiter, ctx.pageLinkSecret));
  app.use('/checklists/*', limitBody, personAuth(deps));
  app.route('/checklists', checklistRoutes(ctx, log));
  app.use('/oncall/*', limitBody, personAuth(deps));
  app.route('/oncall', onCallRoutes(ctx, log));
  app.onError((err, c) => {
    log.error({ err, path: loggablePath(c.req.path) }, 'API request failed');
    // A page link is opened in a browser: it gets a page, not JSON.
    if (c.req.path.startsWith('/links/')) return linkFailedPage(c);
    return c.json(
      { error: 'dbops could not complete the request (a server it needs did not answer); nothing may have changed, try again' },
      503,
    );
  });
  return app;
}

/** Listens on `hostname` (loopback unless configured otherwise: lib/config refuses another address without TLS). */
export function startIntake(
  app: Hono<ApiEnv>,
  port: number,
  hostname = '127.0.0.1',
  tls?: { cert: string; key: string },
): Promise<ServerType> {
  const secure = tls ? { createServer, serverOptions: { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) } } : {};
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname, ...secure }, () => resolve(server));
  });
}
