import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { checklistStateQuery, signOffUpdate } from '../../workflows/checklist/messages';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { jsonBody } from './http/jsonBody';

const STATUS_OF_REFUSAL: Record<string, 403 | 404 | 409> = {
  NotEntitled: 403,
  UnknownActor: 403,
  UnknownItem: 404,
  NotWaiting: 409,
  NotManual: 409,
};

/** Checklist runs: their live state, and a person's sign-off of a manual item (as the token's person, roster in force). */
export function checklistRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  app.get('/:run', async (c) => {
    try {
      return c.json(await ctx.client.workflow.getHandle(c.req.param('run')).query(checklistStateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return c.json({ error: `no checklist run '${c.req.param('run')}'` }, 404);
      throw err;
    }
  });
  app.post('/:run/items/:item/sign', async (c) => {
    const body = await jsonBody(c, '{ "outcome"?, "note"? }');
    if (body instanceof Response) return body;
    const caller = c.get('caller');
    if (caller.kind !== 'person') throw new Error('unreachable: /checklists authenticates people');
    for (const field of ['outcome', 'note'])
      if (body[field] !== undefined && typeof body[field] !== 'string') return c.json({ error: `${field} must be a string` }, 400);
    try {
      const state = await ctx.client.workflow.getHandle(c.req.param('run')).executeUpdate(signOffUpdate, {
        args: [
          {
            actor: caller.id,
            roles: caller.roles,
            rosterVersion: caller.rosterVersion,
            itemId: c.req.param('item'),
            outcome: (body.outcome ?? 'pass') as never,
            note: body.note as string | undefined,
          },
        ],
      });
      return c.json(state);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return c.json({ error: `no checklist run '${c.req.param('run')}'` }, 404);
      if (err instanceof WorkflowUpdateFailedError) {
        const cause = err.cause as (Error & { type?: string }) | undefined;
        log.info({ actor: caller.id, refusal: cause?.type, rosterVersion: caller.rosterVersion }, 'checklist sign-off refused');
        return c.json({ error: `${cause?.message ?? err.message}; nothing was changed` }, STATUS_OF_REFUSAL[cause?.type ?? ''] ?? 400);
      }
      throw err;
    }
  });
  return app;
}
