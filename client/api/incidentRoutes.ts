import { Hono, type Context } from 'hono';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { readDeliveries } from '../../db/deliveries/readDeliveries';
import type { Logger } from '../../lib/logger';
import { DURATION_FORMAT, parseDuration } from '../../runbooks/duration';
import {
  addNoteUpdate,
  approveStepUpdate,
  changeSeverityUpdate,
  classifyUpdate,
  completeStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  snoozeUpdate,
  unsnoozeUpdate,
  type ActorRequest,
} from '../../workflows/incident/messages';
import { acknowledgeIncident, refusalOf, type IncidentHandle } from '../incidents/incidentActions';
import { handleOfRef } from '../incidents/incidentRef';
import { InvalidRequestError, openIncident, parseIncidentRequest } from '../incidents/openIncident';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { jsonBody } from './http/jsonBody';

/** Only these body fields reach an Update (never `actor`, `roles` or `rosterVersion`: those come from the token). */
const optionalString = (body: Record<string, unknown>, field: string, required = false): string | undefined => {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') throw new InvalidRequestError(`${field} must be a string${required ? ' and is required' : ''}`);
  return value;
};

/**
 * People's incident actions. Each Update carries the authenticated person, their roles in the roster in force and
 * its version; the workflow's validators decide whether they may, and a refusal leaves nothing in its history.
 */
export function incidentRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const person = (c: Context<ApiEnv>) => {
    const caller = c.get('caller');
    if (caller.kind !== 'person') throw new Error('unreachable: /incidents authenticates people');
    return caller;
  };
  const actorOf = (c: Context<ApiEnv>): ActorRequest => {
    const p = person(c);
    return { actor: p.id, roles: p.roles, rosterVersion: p.rosterVersion };
  };

  /** Runs an action on the incident `ref` names with the request's JSON body, mapping refusals to statuses. */
  const act =
    (shape: string, fn: (h: IncidentHandle, body: Record<string, unknown>, c: Context<ApiEnv>) => Promise<unknown>, allowClosed = false) =>
    async (c: Context<ApiEnv>) => {
      let body: Record<string, unknown> = {};
      if (c.req.method === 'POST') {
        const parsed = await jsonBody(c, shape);
        if (parsed instanceof Response) return parsed;
        body = parsed;
      }
      try {
        const handle = await handleOfRef(ctx.client, ctx.pool, c.req.param('ref') ?? '', { allowClosed });
        return c.json((await fn(handle, body, c)) as object, 200);
      } catch (err) {
        const refused = refusalOf(err, c.req.param('ref') ?? '');
        if (!refused) throw err;
        if (refused.refusal)
          log.info(
            { actor: person(c).id, refusal: refused.refusal, rule: refused.rule, path: c.req.path, rosterVersion: person(c).rosterVersion },
            'incident action refused',
          );
        return c.json({ error: refused.error }, refused.status);
      }
    };

  app.post('/', async (c) => {
    const body = await jsonBody(c, '{ "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"?, "firedAt"? }');
    if (body instanceof Response) return body;
    try {
      if ('by' in body) throw new InvalidRequestError('by is not accepted: the incident is opened by the person the token names');
      const request = parseIncidentRequest({ ...body, by: person(c).id, source: 'cli' });
      const { workflowId } = await openIncident({ ...ctx, roster: ctx.roster().roster }, request, c.get('receivedAt'));
      return c.json({ workflowId }, 202);
    } catch (err) {
      if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
      throw err;
    }
  });

  // The live state, and each delivery of its notifications (person, channel, status, attempts, last error).
  app.get(
    '/:ref',
    act(
      '',
      async (h) => {
        const state = await h.query(incidentStateQuery);
        return { ...state, deliveries: await readDeliveries(ctx.pool, state.incidentId) };
      },
      true,
    ),
  );
  app.get(
    '/:ref/audit',
    act('', async (h) => ({ events: await readIncidentEvents(ctx.pool, (await h.query(incidentStateQuery)).incidentId) }), true),
  );
  app.post(
    '/:ref/ack',
    act('{ "note"? }', (h, b, c) => acknowledgeIncident(h, actorOf(c), optionalString(b, 'note'))),
  );
  app.post(
    '/:ref/resolve',
    act('{ "summary" }', (h, b, c) =>
      h.executeUpdate(resolveUpdate, { args: [{ ...actorOf(c), summary: optionalString(b, 'summary', true)! }] }),
    ),
  );
  app.post(
    '/:ref/severity',
    act('{ "severity", "reason"? }', (h, b, c) =>
      h.executeUpdate(changeSeverityUpdate, {
        args: [{ ...actorOf(c), severity: optionalString(b, 'severity', true) as never, reason: optionalString(b, 'reason') }],
      }),
    ),
  );
  app.post(
    '/:ref/notes',
    act('{ "text" }', (h, b, c) => h.executeUpdate(addNoteUpdate, { args: [{ ...actorOf(c), text: optionalString(b, 'text', true)! }] })),
  );
  app.post(
    '/:ref/classify',
    act('{ "type", "note"? }', (h, b, c) =>
      h.executeUpdate(classifyUpdate, {
        args: [{ ...actorOf(c), type: optionalString(b, 'type', true) as never, note: optionalString(b, 'note') }],
      }),
    ),
  );
  app.post(
    '/:ref/snooze',
    act('{ "for", "reason" }', (h, b, c) => {
      const text = optionalString(b, 'for', true)!;
      const forMs = parseDuration(text);
      if (forMs === undefined) throw new InvalidRequestError(`for: '${text.slice(0, 40)}' is not ${DURATION_FORMAT}`);
      return h.executeUpdate(snoozeUpdate, { args: [{ ...actorOf(c), forMs, reason: optionalString(b, 'reason', true)! }] });
    }),
  );
  app.post(
    '/:ref/unsnooze',
    act('{ "note"? }', (h, b, c) => h.executeUpdate(unsnoozeUpdate, { args: [{ ...actorOf(c), note: optionalString(b, 'note') }] })),
  );
  app.post(
    '/:ref/steps/:step/complete',
    act('{ "outcome"?, "note"? }', (h, b, c) =>
      h.executeUpdate(completeStepUpdate, {
        args: [
          {
            ...actorOf(c),
            stepId: c.req.param('step') ?? '',
            outcome: (optionalString(b, 'outcome') ?? 'pass') as never,
            note: optionalString(b, 'note'),
          },
        ],
      }),
    ),
  );
  app.post(
    '/:ref/steps/:step/approve',
    act('{ "note"? }', (h, b, c) =>
      h.executeUpdate(approveStepUpdate, { args: [{ ...actorOf(c), stepId: c.req.param('step') ?? '', note: optionalString(b, 'note') }] }),
    ),
  );
  app.post(
    '/:ref/steps/:step/reject',
    act('{ "reason" }', (h, b, c) =>
      h.executeUpdate(rejectStepUpdate, {
        args: [{ ...actorOf(c), stepId: c.req.param('step') ?? '', reason: optionalString(b, 'reason', true)! }],
      }),
    ),
  );
  app.post(
    '/:ref/steps/:step/decide',
    act('{ "decision", "note"? }', (h, b, c) =>
      h.executeUpdate(decideStepUpdate, {
        args: [
          {
            ...actorOf(c),
            stepId: c.req.param('step') ?? '',
            decision: optionalString(b, 'decision', true) as never,
            note: optionalString(b, 'note'),
          },
        ],
      }),
    ),
  );
  return app;
}
