import { Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { decide } from '../../runbooks/actionPolicy';
import { runbookNow } from '../../runbooks/runbook';
import { DrillRequestSchema } from '../incidents/drillRequest';
import { openDrill } from '../incidents/openDrill';
import { openedIncidentId } from '../incidents/openedIncidentId';
import { InvalidRequestError } from '../incidents/incidentRequest';
import type { ApiContext } from './apiContext';
import type { ApiEnv } from './authenticate';
import { callingPerson } from './http/callingPerson';
import { describe } from './http/describe';
import { jsonBody } from './http/jsonBody';

/**
 * Drills (docs/drills.md): the `drill` rule of the runbook in force's action policy decides who may open one (refusals name the rule); the drill is
 * an incident of the runbook's type on the real ladder, marked DRILL everywhere.
 */
export function drillRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  app.post(
    '/',
    describe('open a drill of a runbook (an incident marked DRILL) as the token’s person', {
      tag: 'incidents',
      auth: 'person',
      body: DrillRequestSchema,
    }),
    async (c) => {
      const caller = callingPerson(c);
      const decision = decide(runbookNow(ctx.runbook).actionPolicy, 'drill', { actor: caller.id, actorRoles: caller.roles });
      if (!decision.allowed) {
        log.info({ actor: caller.id, rule: decision.rule.id, rosterVersion: caller.rosterVersion }, 'drill refused');
        return c.json(
          {
            error: `'${caller.id}' may not run a drill: ${decision.why} (policy rule '${decision.rule.id}'; dbops policy lists them); nothing was started`,
          },
          403,
        );
      }
      const body = await jsonBody(c, '{ "type", "tier", "severity"? }');
      if (body instanceof Response) return body;
      try {
        const at = c.get('receivedAt');
        const { workflowId, runId } = await openDrill({ ...ctx, roster: ctx.roster().roster }, body, caller.id, at);
        const incidentId = await openedIncidentId(ctx.client, ctx.pool, workflowId, runId, at);
        return c.json({ incidentId, workflowId, drill: true }, 202);
      } catch (err) {
        if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
        throw err;
      }
    },
  );
  return app;
}
