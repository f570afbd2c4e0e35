import fs from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { serve, type ServerType } from '@hono/node-server';
import type { Pool } from 'pg';
import type { Logger } from '../../lib/logger';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { SecretKeys } from '../../lib/secretKeys';
import type { SchedulesInForce } from '../../lib/schedules';
import { MAX_BODY_BYTES } from '../../runbooks/limits';
import { InvalidRequestError, openIncident, parseIncidentRequest, type OpenIncidentContext } from '../incidents/openIncident';
import { BUILT_IN_ROUTING, type RoutingConfig } from '../../runbooks/alertRouting';
import { alertRoutes } from './alertRoutes';
import {
  integrationAuth,
  callingIntegration,
  personAuth,
  signatureBackOnFailure,
  stampReceivedAt,
  type ApiEnv,
  type AuthDeps,
} from './authenticate';
import { checklistRoutes } from './checklistRoutes';
import { consoleRoutes } from '../console/consoleRoutes';
import type { ConsoleSettings } from '../console/consoleSettings';
import {
  DEFAULT_DEADLINE_MS,
  DeadlineExceededError,
  pastDeadline,
  poolWithinDeadlines,
  requestDeadline,
  unavailable,
  type Deadlines,
} from './deadline';
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
  /** How long a request may wait on Temporal and the store before it answers 503 (DBOPS_API_DEADLINE_SECONDS). */
  deadlineMs?: number;
  /** DBOPS_SECRET_KEY: opens the integrations' signing keys the store keeps sealed; unset, signed alerts are refused. */
  secretKeys?: SecretKeys;
  /** The web console's sign-in and links (client/console/consoleSettings.ts); absent: personal-token sign-in only. */
  console?: ConsoleSettings;
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
export function createIntakeApp(apiContext: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const deadlines: Deadlines = { ms: apiContext.deadlineMs ?? DEFAULT_DEADLINE_MS, temporal: apiContext.client };
  // Every store query of a request gives up at its deadline, like its Temporal calls (withinDeadline).
  const ctx: ApiContext = { ...apiContext, pool: poolWithinDeadlines(apiContext.pool) };
  const withinDeadline = requestDeadline(deadlines);
  const deps: AuthDeps = {
    pool: ctx.pool,
    roster: ctx.roster,
    limiter: createRateLimiter(ctx.rateLimitPerMinute, ctx.now),
    refusals: createRefusalLog(log),
    log,
    now: ctx.now,
    secretKeys: ctx.secretKeys,
  };
  app.get('/healthz', (c) => c.json({ ok: true }));
  // Credentials are checked before the body is parsed; the body limit first, as a signature covers the body.
  app.post('/alerts', stampReceivedAt, limitBody, signatureBackOnFailure(deps), withinDeadline, integrationAuth(deps), async (c) => {
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
      // Anything else (Temporal not answering) is the 503 of onError, below.
      if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
      throw err;
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
    deadlines,
    log,
  );
  // '/incidents/*' matches '/incidents' itself as well: one registration, so a request is checked (and counted) once.
  app.use('/incidents/*', stampReceivedAt, limitBody, withinDeadline, personAuth(deps));
  app.route('/incidents', incidentRoutes(ctx, log));
  // Page links authenticate by their signature (for one person and one incident), not by a token.
  app.use('/links/*', limitBody, withinDeadline);
  app.route('/links', pageLinkRoutes(ctx, log, deps.limiter, ctx.pageLinkSecret));
  app.use('/checklists/*', limitBody, withinDeadline, personAuth(deps));
  app.route('/checklists', checklistRoutes(ctx, log));
  app.use('/oncall/*', limitBody, personAuth(deps));
  app.route('/oncall', onCallRoutes(ctx, log));
  app.route('/', consoleRoutes({ ...ctx, log }));
  app.onError((err, c) => {
    // Work abandoned at its deadline fails after its 503 was sent: that 503 was logged already.
    if (!(err instanceof DeadlineExceededError) && pastDeadline()) return c.body(null, 503);
    log.error({ err, path: loggablePath(c.req.path) }, 'API request failed');
    // A page link is opened in a browser: it gets a page, not JSON.
    if (c.req.path.startsWith('/links/')) {
      c.header('Retry-After', String(Math.ceil(deadlines.ms / 1000)));
      return linkFailedPage(c);
    }
    return unavailable(c, deadlines, failedRequestMessage(c.req.path, deadlines.ms));
  });
  return app;
}

const ALERT_PATHS = ['/alerts', '/v2/enqueue', '/alertmanager', '/grafana'];

/**
 * What a sender is told when a server dbops needs did not answer in time. An alert may have reached its incident
 * just before (Temporal took it, its answer did not come back): sent again, it reaches the same incident (the
 * incident's workflow id is its dedup key), counted once more as a repeat, never a second incident.
 */
function failedRequestMessage(path: string, deadlineMs: number): string {
  const why = `Temporal or the audit store gave no answer within ${deadlineMs} ms (or failed)`;
  return ALERT_PATHS.includes(path)
    ? `${why}; the alert may not have been taken: send it again after Retry-After, it reaches the same incident (at most one more repeat counted)`
    : `${why}; the request may not have been done: try again after Retry-After (an action already done is then refused as such)`;
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

/**
 * Stops taking requests: no new connection is accepted, and a kept-alive one is closed once it has answered the
 * request it carries (Node would otherwise go on serving a busy client on it until the client paused). Resolves when
 * every request in flight has been answered: whatever they need (Temporal, the audit store) must stay up until then.
 */
export function closeIntake(server: ServerType): Promise<void> {
  (server as Server).on('request', (_req, res: ServerResponse) => (res.shouldKeepAlive = false));
  return new Promise((resolve) => server.close(() => resolve()));
}
