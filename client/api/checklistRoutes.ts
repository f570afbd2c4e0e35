import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Logger } from '../../lib/logger';
import { checklistStateQuery, signOffUpdate, type ChecklistRunState } from '../../workflows/checklist/messages';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { jsonBody } from './http/jsonBody';
import { notFound } from './http/notFound';
import { queryProblem } from './http/query';
import { listChecklistRuns, storedChecklistReport } from '../../db/reports/checklistRuns';
import { describe } from './http/describe';
import { callingPerson } from './http/callingPerson';
import { bodyShape } from './incidentActionBodies';

/** POST /checklists/:run/items/:item/sign: the outcome (default pass) and a note; the signer is the token's person. */
export const SignOffBody = z.object({
  outcome: z.string({ error: 'must be a string' }).describe('pass, warn or fail (default pass)').optional(),
  note: z.string({ error: 'must be a string' }).describe('evidence or remarks').optional(),
});

/** GET /checklists: the most recent runs first. */
export const ChecklistListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) });

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
  app.get(
    '/',
    describe('recent checklist runs, newest first', { tag: 'checklists', auth: 'person', query: ChecklistListQuerySchema }),
    async (c) => {
      const query = ChecklistListQuerySchema.safeParse(c.req.query());
      if (!query.success) return c.json({ error: queryProblem(query.error) }, 400);
      return c.json({ runs: await listChecklistRuns(ctx.pool, query.data.limit) });
    },
  );
  app.get('/:run', describe('a checklist run’s live state', { tag: 'checklists', auth: 'person' }), async (c) => {
    try {
      return c.json(await ctx.client.workflow.getHandle(c.req.param('run')).query(checklistStateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return notFound(c, `checklist run '${c.req.param('run')}'`);
      throw err;
    }
  });
  // A finished run's stored report (Markdown), and its final state where Temporal still holds the run.
  app.get('/:run/report', describe('a finished run’s stored report', { tag: 'checklists', auth: 'person' }), async (c) => {
    const run = c.req.param('run');
    const markdown = await storedChecklistReport(ctx.pool, run);
    if (markdown === undefined) return notFound(c, `finished checklist run '${run}'`);
    let state: ChecklistRunState | undefined;
    try {
      state = await ctx.client.workflow.getHandle(run).result();
    } catch {
      state = undefined;
    }
    return c.json({ runId: run, markdown, ...(state && { state }) });
  });
  app.post(
    '/:run/items/:item/sign',
    describe('sign off a manual item', { tag: 'checklists', auth: 'person', body: SignOffBody }),
    async (c) => {
      const shape = bodyShape(SignOffBody);
      const body = await jsonBody(c, shape);
      if (body instanceof Response) return body;
      const caller = callingPerson(c);
      const parsed = SignOffBody.safeParse(body);
      if (!parsed.success) return c.json({ error: `${queryProblem(parsed.error)}: ${shape}` }, 400);
      try {
        const state = await ctx.client.workflow.getHandle(c.req.param('run')).executeUpdate(signOffUpdate, {
          args: [
            {
              actor: caller.id,
              roles: caller.roles,
              rosterVersion: caller.rosterVersion,
              itemId: c.req.param('item'),
              outcome: (parsed.data.outcome ?? 'pass') as never,
              note: parsed.data.note,
            },
          ],
        });
        return c.json(state);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return notFound(c, `checklist run '${c.req.param('run')}'`);
        if (err instanceof WorkflowUpdateFailedError) {
          const cause = err.cause as (Error & { type?: string }) | undefined;
          log.info({ actor: caller.id, refusal: cause?.type, rosterVersion: caller.rosterVersion }, 'checklist sign-off refused');
          return c.json({ error: `${cause?.message ?? err.message}; nothing was changed` }, STATUS_OF_REFUSAL[cause?.type ?? ''] ?? 400);
        }
        throw err;
      }
    },
  );
  return app;
}
