import { Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { BUILT_IN_ROUTING, type RoutingConfig } from '../../runbooks/alertRouting';
import { alertRoutes } from './alertRoutes';
import type { ApiContext } from './apiContext';
import { personAuth, stampReceivedAt, type ApiEnv, type AuthDeps } from './authenticate';
import { calendarRoutes } from './calendarRoutes';
import { checklistRoutes } from './checklistRoutes';
import { dbopsAlertRoute } from './dbopsAlertRoute';
import { drillRoutes } from './drillRoutes';
import {
  DEFAULT_DEADLINE_MS,
  DeadlineExceededError,
  pastDeadline,
  poolWithinDeadlines,
  requestDeadline,
  unavailable,
  type Deadlines,
} from './deadline';
import { limitBody } from './http/bodyLimit';
import { describe } from './http/describe';
import { openApiRoute } from './openApiRoute';
import { incidentRoutes } from './incidentRoutes';
import { onCallRoutes } from './onCallRoutes';
import { consoleRoutes } from '../console/consoleRoutes';
import { maintenanceRoutes } from './maintenanceRoutes';
import { linkFailedPage, loggablePath, pageLinkRoutes } from './pageLinkRoutes';
import { createRateLimiter } from './rateLimiter';
import { createRefusalLog } from './refusalLog';
import { reportRoutes } from './reportRoutes';

export type { ApiContext } from './apiContext';

/**
 * The dbops API, its one root: every route module is mounted here and nowhere else. Alert sources POST /alerts (and
 * the monitoring formats) with their integration key; people act and read with their personal token. Whoever acts is
 * who the credential names: no body field can choose it. A refused request (401, 403, 413, 415, 400, 429) starts
 * nothing and records nothing.
 */
export function createApiApp(apiContext: ApiContext, log: Logger) {
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
    temporalClock: ctx.temporalClock,
    secretKeys: ctx.secretKeys,
  };
  app.get('/healthz', describe('the process answers', { tag: 'meta', auth: 'none' }), (c) => c.json({ ok: true }));
  openApiRoute(app);

  // Alert sources, by integration key or signature.
  dbopsAlertRoute(app, ctx, deps, deadlines, log);
  alertRoutes(
    app,
    {
      client: ctx.client,
      taskQueue: ctx.taskQueue,
      pool: ctx.pool,
      roster: () => ctx.roster().roster,
      calendar: ctx.calendar,
      runbook: ctx.runbook,
      routing: routingInForce(ctx),
      continueAsNewAfterEvents: ctx.continueAsNewAfterEvents,
    },
    deps,
    deadlines,
    log,
  );

  // People, by personal token. '/incidents/*' matches '/incidents' itself as well: one registration, so a request
  // is checked (and counted) once.
  app.use('/incidents/*', stampReceivedAt(deps), limitBody, withinDeadline, personAuth(deps));
  app.route('/incidents', incidentRoutes(ctx, log));
  app.use('/checklists/*', limitBody, withinDeadline, personAuth(deps));
  app.route('/checklists', checklistRoutes(ctx, log));
  app.use('/oncall/*', limitBody, personAuth(deps));
  app.route('/oncall', onCallRoutes(ctx, log));
  // '/maintenance/*' matches '/maintenance' itself as well (one registration, one check).
  app.use('/maintenance/*', limitBody, withinDeadline, personAuth(deps));
  app.route('/maintenance', maintenanceRoutes(ctx, log));
  app.use('/drills/*', stampReceivedAt(deps), limitBody, withinDeadline, personAuth(deps));
  app.route('/drills', drillRoutes(ctx, log));
  app.use('/reports/*', limitBody, withinDeadline, personAuth(deps));
  app.route('/reports', reportRoutes(ctx));

  // Page links authenticate by their signature (for one person and one incident), not by a token.
  app.use('/links/*', limitBody, withinDeadline);
  app.route('/links', pageLinkRoutes(ctx, log, deps.limiter, ctx.pageLinkSecret));
  // Calendar feeds authenticate by their signature (calendar applications send no token).
  app.use('/calendar/*', limitBody, withinDeadline);
  app.route('/calendar', calendarRoutes(ctx, log));

  // The console (client/console/) is mounted here, at '/', after every API route so none is shadowed:
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

/**
 * The routing alerts follow: a fixed one given (a DBOPS_ROUTING file, a test's), else the runbook in force's, asked at
 * each alert so an edit of the runbook file routes the next alert; else the built-in routing.
 */
function routingInForce(ctx: Pick<ApiContext, 'routing' | 'runbook'>): () => RoutingConfig {
  const { routing, runbook } = ctx;
  if (typeof routing === 'function') return routing;
  if (routing) return () => routing;
  if (runbook) return () => runbook().routing;
  return () => BUILT_IN_ROUTING;
}
