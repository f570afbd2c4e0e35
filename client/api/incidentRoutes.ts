import { WorkflowNotFoundError } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { readDeliveries } from '../../db/deliveries/readDeliveries';
import type { Logger } from '../../lib/logger';
import { DURATION_FORMAT, parseDuration } from '../../runbooks/duration';
import { runbookNow } from '../../runbooks/runbook';
import { INCIDENT_PHASES, SEVERITIES } from '../../runbooks/types';
import { notInRunbook, runbookName } from '../../runbooks/vocabulary';
import {
  addNoteUpdate,
  approveStepUpdate,
  changeSeverityUpdate,
  classifyUpdate,
  completeStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  rejectStepUpdate,
  snoozeUpdate,
  unsnoozeUpdate,
  type ActorRequest,
  type IncidentState,
} from '../../workflows/incident/messages';
import { acknowledgeIncident, refusalOf, resolveIncident, type IncidentHandle } from '../incidents/incidentActions';
import { incidentIdOfRef } from '../incidents/incidentIdOfRef';
import { handleOfRef, IncidentRefError } from '../incidents/incidentRef';
import { summariseIncidents } from '../incidents/incidentSummaries';
import { IncidentCursorError, listIncidents, MAX_PAGE_SIZE, parseIncidentCursor } from '../incidents/listIncidents';
import { openedIncidentId } from '../incidents/openedIncidentId';
import { IncidentBodySchema, InvalidRequestError, parseIncidentRequest } from '../incidents/incidentRequest';
import { openIncident } from '../incidents/openIncident';
import { peopleNamesOf } from '../incidents/peopleNames';
import { verifyIncidentAudit } from '../incidents/verifyAudit';
import type { ApiContext } from './apiContext';
import type { ApiEnv } from './authenticate';
import { callingPerson } from './http/callingPerson';
import { describe } from './http/describe';
import { jsonBody } from './http/jsonBody';
import { notFound } from './http/notFound';
import { queryProblem } from './http/query';
import {
  AckBody,
  ApproveStepBody,
  bodyShape,
  ClassifyBody,
  CompleteStepBody,
  DecideStepBody,
  NO_BODY,
  NoteBody,
  RejectStepBody,
  ResolveBody,
  SeverityBody,
  SnoozeBody,
  UnsnoozeBody,
} from './incidentActionBodies';

/** GET /incidents: filters as `dbops incident list` takes them; open ones only unless `all=true`. */
export const IncidentListQuerySchema = z.object({
  all: z.enum(['true', 'false']).optional().describe('true: closed incidents too, listed after the open ones'),
  // The runbook in force's (checked by the route: a runbook file may add types and tiers).
  type: runbookName.optional().describe('an incident type of the runbook in force'),
  tier: runbookName.optional().describe('a tier of the runbook in force'),
  severity: z.enum(SEVERITIES).optional(),
  phase: z.enum(INCIDENT_PHASES).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50).describe('how many on this page'),
  next: z.string().max(5000).optional().describe('the cursor the previous page returned (same filters)'),
});

/** GET /incidents/:ref/audit/verify: `temporal=false` checks the audit store alone. */
export const AuditVerifyQuerySchema = z.object({ temporal: z.enum(['true', 'false']).default('true') });

/**
 * People's incident reads and actions. Each Update carries the authenticated person, their roles in the roster in force and
 * its version; the workflow's validators decide whether they may, and a refusal leaves nothing in its history.
 */
export function incidentRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const person = callingPerson;
  const actorOf = (c: Context<ApiEnv>): ActorRequest => {
    const p = person(c);
    return { actor: p.id, roles: p.roles, rosterVersion: p.rosterVersion };
  };

  /**
   * Runs an action on the incident `ref` names with the request's JSON body checked by its schema (only its fields
   * reach an Update: never `actor`, `roles` or `rosterVersion`, which come from the token), mapping refusals to statuses.
   */
  const act =
    <S extends z.ZodType>(
      schema: S,
      fn: (h: IncidentHandle, body: z.output<S>, c: Context<ApiEnv>) => Promise<unknown>,
      allowClosed = false,
    ) =>
    async (c: Context<ApiEnv>) => {
      let body = {} as z.output<S>;
      if (c.req.method === 'POST') {
        const shape = bodyShape(schema);
        const raw = await jsonBody(c, shape);
        if (raw instanceof Response) return raw;
        const parsed = schema.safeParse(raw);
        if (!parsed.success) return c.json({ error: `${queryProblem(parsed.error)}: ${shape}` }, 400);
        body = parsed.data;
      }
      try {
        const handle = await handleOfRef(ctx.client, ctx.pool, c.req.param('ref') ?? '', { allowClosed });
        const result = (await fn(handle, body, c)) as IncidentState | { events: unknown };
        // An incident's state names people by roster id; `names` gives each its name in the roster in force.
        const named = 'incidentId' in result ? { ...result, names: peopleNamesOf(result, ctx.roster().roster) } : result;
        return c.json(named, 200);
      } catch (err) {
        const ref = c.req.param('ref') ?? '';
        // "Not found" is said one way by every route; a closed incident or a validator's no is a refusal.
        if ((err instanceof IncidentRefError && err.reason === 'unknown') || err instanceof WorkflowNotFoundError)
          return notFound(c, `incident '${ref}' (an INC id, or a workflow id incident/<type>/<tier>/<fingerprint>)`);
        if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
        const refused = refusalOf(err, ref);
        if (!refused) throw err;
        if (refused.refusal)
          log.info(
            { actor: person(c).id, refusal: refused.refusal, rule: refused.rule, path: c.req.path, rosterVersion: person(c).rosterVersion },
            'incident action refused',
          );
        return c.json({ error: refused.error }, refused.status);
      }
    };

  // One page of incidents, newest first, with what a person reads (INC id, title, level, deadline, paged names).
  app.get(
    '/',
    describe('list incidents, newest first, with INC id, title, level, next deadline and who was paged', {
      tag: 'incidents',
      auth: 'person',
      query: IncidentListQuerySchema,
    }),
    async (c) => {
      const query = IncidentListQuerySchema.safeParse(c.req.query());
      if (!query.success) return c.json({ error: queryProblem(query.error) }, 400);
      const q = query.data;
      const runbook = runbookNow(ctx.runbook);
      const unknown =
        notInRunbook('type', q.type, 'an incident type', Object.keys(runbook.incidentTypes)) ??
        notInRunbook('tier', q.tier, 'a tier', Object.keys(runbook.tiers));
      if (unknown) return c.json({ error: unknown }, 400);
      let from;
      try {
        from = q.next === undefined ? undefined : parseIncidentCursor(q.next);
      } catch (err) {
        if (err instanceof IncidentCursorError) return c.json({ error: `next: ${err.message}` }, 400);
        throw err;
      }
      const filters = { includeClosed: q.all === 'true', type: q.type, tier: q.tier, severity: q.severity, phase: q.phase };
      const page = await listIncidents(ctx.client, filters, q.limit, from);
      const incidents = await summariseIncidents(ctx.client, ctx.pool, ctx.roster().roster, page.incidents);
      return c.json({ incidents, total: page.total, offset: page.offset, ...(page.next && { next: page.next }) });
    },
  );

  app.post(
    '/',
    describe('open an incident (or count a repeat) as the token’s person', { tag: 'incidents', auth: 'person', body: IncidentBodySchema }),
    async (c) => {
      const body = await jsonBody(c, '{ "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"?, "firedAt"? }');
      if (body instanceof Response) return body;
      try {
        if ('by' in body) throw new InvalidRequestError('by is not accepted: the incident is opened by the person the token names');
        const request = parseIncidentRequest({ ...body, by: person(c).id, source: 'cli' }, ctx.runbook?.());
        const { workflowId, runId } = await openIncident({ ...ctx, roster: ctx.roster().roster }, request, c.get('receivedAt'));
        const incidentId = await openedIncidentId(ctx.client, ctx.pool, workflowId, runId, c.get('receivedAt'));
        return c.json({ incidentId, workflowId }, 202);
      } catch (err) {
        if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
        throw err;
      }
    },
  );

  // The live state, and each delivery of its notifications (person, channel, status, attempts, last error).
  app.get(
    '/:ref',
    describe('an incident’s live state, its deliveries, and the names of the people it names', { tag: 'incidents', auth: 'person' }),
    act(
      NO_BODY,
      async (h) => {
        const state = await h.query(incidentStateQuery);
        return { ...state, deliveries: await readDeliveries(ctx.pool, state.incidentId) };
      },
      true,
    ),
  );
  // The audit trail and its verification read the audit store (an auditor needs no running incident).
  app.get('/:ref/audit', describe('an incident’s audit trail, from the audit store', { tag: 'audit', auth: 'person' }), async (c) => {
    const ref = c.req.param('ref');
    const incidentId = await incidentIdOfRef(ctx.pool, ref);
    if (!incidentId) return notFound(c, `audit trail of '${ref}' (an INC id, or a workflow id the audit store holds)`);
    return c.json({ incidentId, events: await readIncidentEvents(ctx.pool, incidentId) });
  });
  app.get(
    '/:ref/audit/verify',
    describe('verify an incident’s audit trail: hash chain, anchor, signature, Temporal’s history', {
      tag: 'audit',
      auth: 'person',
      query: AuditVerifyQuerySchema,
    }),
    async (c) => {
      const query = AuditVerifyQuerySchema.safeParse(c.req.query());
      if (!query.success) return c.json({ error: queryProblem(query.error) }, 400);
      const ref = c.req.param('ref');
      const incidentId = await incidentIdOfRef(ctx.pool, ref);
      if (!incidentId) return notFound(c, `audit trail of '${ref}' (an INC id, or a workflow id the audit store holds)`);
      const verdict = await verifyIncidentAudit(
        ctx.pool,
        incidentId,
        query.data.temporal === 'true' ? ctx.client : undefined,
        ctx.secretKeys,
      );
      if (!verdict.events) return notFound(c, `audit events of ${incidentId}`);
      return c.json({ ...verdict, intact: verdict.problems.length === 0 });
    },
  );
  app.post(
    '/:ref/ack',
    describe('acknowledge: the escalation stops', { tag: 'incidents', auth: 'person', body: AckBody }),
    act(AckBody, (h, b, c) => acknowledgeIncident(h, actorOf(c), b.note)),
  );
  app.post(
    '/:ref/resolve',
    describe('resolve the incident', { tag: 'incidents', auth: 'person', body: ResolveBody }),
    act(ResolveBody, (h, b, c) => resolveIncident(h, actorOf(c), b.summary)),
  );
  app.post(
    '/:ref/severity',
    describe('change the severity', { tag: 'incidents', auth: 'person', body: SeverityBody }),
    act(SeverityBody, (h, b, c) =>
      h.executeUpdate(changeSeverityUpdate, {
        args: [{ ...actorOf(c), severity: b.severity as never, reason: b.reason }],
      }),
    ),
  );
  app.post(
    '/:ref/notes',
    describe('add a note', { tag: 'incidents', auth: 'person', body: NoteBody }),
    act(NoteBody, (h, b, c) => h.executeUpdate(addNoteUpdate, { args: [{ ...actorOf(c), text: b.text }] })),
  );
  app.post(
    '/:ref/classify',
    describe('classify an unclassified incident', { tag: 'incidents', auth: 'person', body: ClassifyBody }),
    act(ClassifyBody, (h, b, c) =>
      h.executeUpdate(classifyUpdate, {
        args: [{ ...actorOf(c), type: b.type as never, note: b.note }],
      }),
    ),
  );
  app.post(
    '/:ref/snooze',
    describe("pause the incident's clocks for a while", { tag: 'incidents', auth: 'person', body: SnoozeBody }),
    act(SnoozeBody, (h, b, c) => {
      const forMs = parseDuration(b.for);
      if (forMs === undefined) throw new InvalidRequestError(`for: '${b.for.slice(0, 40)}' is not ${DURATION_FORMAT}`);
      return h.executeUpdate(snoozeUpdate, { args: [{ ...actorOf(c), forMs, reason: b.reason }] });
    }),
  );
  app.post(
    '/:ref/unsnooze',
    describe('end a snooze early', { tag: 'incidents', auth: 'person', body: UnsnoozeBody }),
    act(UnsnoozeBody, (h, b, c) => h.executeUpdate(unsnoozeUpdate, { args: [{ ...actorOf(c), note: b.note }] })),
  );
  app.post(
    '/:ref/steps/:step/complete',
    describe('complete a manual step', { tag: 'incidents', auth: 'person', body: CompleteStepBody }),
    act(CompleteStepBody, (h, b, c) =>
      h.executeUpdate(completeStepUpdate, {
        args: [
          {
            ...actorOf(c),
            stepId: c.req.param('step') ?? '',
            outcome: (b.outcome ?? 'pass') as never,
            note: b.note,
          },
        ],
      }),
    ),
  );
  app.post(
    '/:ref/steps/:step/approve',
    describe('approve a step that waits for approval', { tag: 'incidents', auth: 'person', body: ApproveStepBody }),
    act(ApproveStepBody, (h, b, c) =>
      h.executeUpdate(approveStepUpdate, { args: [{ ...actorOf(c), stepId: c.req.param('step') ?? '', note: b.note }] }),
    ),
  );
  app.post(
    '/:ref/steps/:step/reject',
    describe('reject a step that waits for approval', { tag: 'incidents', auth: 'person', body: RejectStepBody }),
    act(RejectStepBody, (h, b, c) =>
      h.executeUpdate(rejectStepUpdate, {
        args: [{ ...actorOf(c), stepId: c.req.param('step') ?? '', reason: b.reason }],
      }),
    ),
  );
  app.post(
    '/:ref/steps/:step/decide',
    describe('retry, skip or abort after an automated step failed', { tag: 'incidents', auth: 'person', body: DecideStepBody }),
    act(DecideStepBody, (h, b, c) =>
      h.executeUpdate(decideStepUpdate, {
        args: [
          {
            ...actorOf(c),
            stepId: c.req.param('step') ?? '',
            decision: b.decision as never,
            note: b.note,
          },
        ],
      }),
    ),
  );
  return app;
}
