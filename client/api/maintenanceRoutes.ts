import { Hono, type Context } from 'hono';
import { getWindow, heldAlerts, listWindows, windowEvents } from '../../db/maintenance/windows';
import type { Logger } from '../../lib/logger';
import { endWindowEarly, makeWindow, WINDOW_SHAPE, windowJson, type WindowOutcome } from '../maintenance/windowActions';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { callingPerson } from './http/callingPerson';
import { jsonBody } from './http/jsonBody';
import { describe } from './http/describe';

export type { WindowJson } from '../maintenance/windowActions';

/**
 * Maintenance windows: anyone on the roster may list them; making or ending one is the action policy's `maintenance`
 * (refusals name the rule). Each window is a row in the audit store (with its events) and a Temporal workflow that
 * activates and releases its occurrences on time.
 */
export function maintenanceRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const now = () => (ctx.now ?? Date.now)();
  const deps = { ...ctx, log };
  const answer = (c: Context<ApiEnv>, outcome: WindowOutcome, created = false) =>
    'window' in outcome ? c.json({ window: outcome.window }, created ? 201 : 200) : c.json({ error: outcome.error }, outcome.status);

  app.get('/', describe('maintenance windows not over (?all=true: every window)', { tag: 'maintenance', auth: 'person' }), async (c) => {
    const all = c.req.query('all') === 'true';
    const at = now();
    const windows = (await listWindows(ctx.pool, { all })).map((w) => windowJson(w, at));
    return c.json({ windows: all ? windows : windows.filter((w) => w.next) });
  });

  app.get('/:id', describe('one maintenance window', { tag: 'maintenance', auth: 'person' }), async (c) => {
    const id = c.req.param('id');
    if (!/^\d{1,18}$/.test(id)) return c.json({ error: `'${id}' is not a window id (a number, as listed)` }, 400);
    const w = await getWindow(ctx.pool, id);
    if (!w) return c.json({ error: `no maintenance window ${id}` }, 404);
    return c.json({ window: windowJson(w, now()), events: await windowEvents(ctx.pool, id), held: await heldAlerts(ctx.pool, id) });
  });

  app.post(
    '/',
    describe('make a maintenance window (a maintenance planner, with a reason)', { tag: 'maintenance', auth: 'person' }),
    async (c) => {
      const body = await jsonBody(c, WINDOW_SHAPE);
      if (body instanceof Response) return body;
      return answer(c, await makeWindow(deps, callingPerson(c), body), true);
    },
  );

  app.post(
    '/:id/end',
    describe('end a maintenance window now: what it held and still fires opens its incident', { tag: 'maintenance', auth: 'person' }),
    async (c) => {
      const id = c.req.param('id');
      if (!/^\d{1,18}$/.test(id)) return c.json({ error: `'${id}' is not a window id (a number, as listed)` }, 400);
      const body = await jsonBody(c, '{ "reason" }');
      if (body instanceof Response) return body;
      const reason = typeof body.reason === 'string' ? body.reason : undefined;
      return answer(c, await endWindowEarly(deps, callingPerson(c), id, reason));
    },
  );
  return app;
}
