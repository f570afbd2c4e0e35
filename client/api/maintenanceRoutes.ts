import { WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import {
  activateOccurrence,
  createWindow,
  endWindow,
  getWindow,
  heldAlerts,
  listWindows,
  windowEvents,
  type StoredWindow,
} from '../../db/maintenance/windows';
import type { Logger } from '../../lib/logger';
import { decide, DEFAULT_ACTION_POLICY } from '../../runbooks/actionPolicy';
import { nextOccurrence } from '../../runbooks/maintenance';
import { planWindow, WindowRequestSchema } from '../../runbooks/maintenanceRequest';
import { TEXT_LIMITS, unstorableText } from '../../runbooks/limits';
import { endMaintenanceSignal, maintenanceWorkflowId } from '../../workflows/maintenance/messages';
import type { maintenanceWindow } from '../../workflows/maintenance/maintenanceWindow';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { jsonBody } from './http/jsonBody';
import { describe } from './http/describe';

const WINDOW_SHAPE =
  '{ "reason", "tiers"?, "types"?, "labels"?, "from"?, "to" } or { "reason", "tiers"?, "types"?, "labels"?, "weekly": { "days", "start", "end", "timeZone", "until" } }';

/** A window as the API shows it: its next (or current) occurrence, whether it is over. */
export type WindowJson = StoredWindow & { next: { from: string; to: string } | null };

const windowJson = (w: StoredWindow, now: number): WindowJson => {
  const next = w.endedAt ? undefined : nextOccurrence(w.timing, now);
  return { ...w, next: next ? { from: new Date(next.start).toISOString(), to: new Date(next.end).toISOString() } : null };
};

/**
 * Maintenance windows: anyone on the roster may list them; making or ending one is the action policy's `maintenance`
 * (refusals name the rule). Each window is a row in the audit store (with its events) and a Temporal workflow that
 * activates and releases its occurrences on time.
 */
export function maintenanceRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const now = () => (ctx.now ?? Date.now)();
  const person = (c: Context<ApiEnv>) => {
    const caller = c.get('caller');
    if (caller.kind !== 'person') throw new Error('unreachable: /maintenance authenticates people');
    return caller;
  };
  /** The policy's refusal (403, naming the rule), or undefined when the caller may. */
  const refusal = (c: Context<ApiEnv>, reason: string | undefined, doWhat: string) => {
    const caller = person(c);
    const decision = decide(DEFAULT_ACTION_POLICY, 'maintenance', { actor: caller.id, actorRoles: caller.roles, reason });
    if (decision.allowed) return undefined;
    log.info({ actor: caller.id, rule: decision.rule.id, rosterVersion: caller.rosterVersion }, 'maintenance refused');
    return c.json(
      {
        error: `'${caller.id}' may not ${doWhat}: ${decision.why} (policy rule '${decision.rule.id}'; dbops policy lists them); nothing was changed`,
      },
      decision.missing === 'reason' ? 400 : 403,
    );
  };

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
      // Who may comes first: a bystander learns nothing about what a valid window would be.
      const refused = refusal(c, typeof body.reason === 'string' ? body.reason : 'unchecked', 'make a maintenance window');
      if (refused) return refused;
      const parsed = WindowRequestSchema.safeParse(body);
      if (!parsed.success)
        return c.json(
          { error: `${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}: ${WINDOW_SHAPE}` },
          400,
        );
      const planned = planWindow(parsed.data, now());
      if ('error' in planned) return c.json({ error: planned.error }, planned.status);
      const caller = person(c);
      const window = await createWindow(
        ctx.pool,
        { reason: parsed.data.reason, ...planned },
        { id: caller.id, rosterVersion: caller.rosterVersion },
      );
      // A window that has begun holds from the answer on; its workflow finds the occurrence active already.
      const first = nextOccurrence(window.timing, now());
      if (first && first.start <= now()) await activateOccurrence(ctx.pool, window.id, first, now());
      // The window's clock: activates each occurrence at its start and releases it at its end (a durable timer).
      await ctx.client.workflow.start<typeof maintenanceWindow>('maintenanceWindow', {
        workflowId: maintenanceWorkflowId(window.id),
        taskQueue: ctx.taskQueue,
        args: [{ windowId: window.id, timing: window.timing }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      log.info({ actor: caller.id, window: window.id }, 'maintenance window created');
      return c.json({ window: windowJson(window, now()) }, 201);
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
      const refused = refusal(c, reason, 'end a maintenance window');
      if (refused) return refused;
      if (reason!.length > TEXT_LIMITS.reason || unstorableText(reason!))
        return c.json({ error: `reason: at most ${TEXT_LIMITS.reason} characters of storable text` }, 400);
      const caller = person(c);
      const ended = await endWindow(ctx.pool, id, { id: caller.id, rosterVersion: caller.rosterVersion }, reason!);
      if (ended === undefined) return c.json({ error: `no maintenance window ${id}` }, 404);
      if (ended === false) return c.json({ error: `maintenance window ${id} has already ended` }, 409);
      // The store says it ended (the intake holds nothing more); the workflow releases what it held, at once.
      // A window whose last occurrence is over has no workflow running any more, and holds nothing.
      await ctx.client.workflow
        .getHandle(maintenanceWorkflowId(id))
        .signal(endMaintenanceSignal)
        .catch((err) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
      log.info({ actor: caller.id, window: id }, 'maintenance window ended early');
      return c.json({ window: windowJson(ended, now()) });
    },
  );
  return app;
}
