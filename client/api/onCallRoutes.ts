import { z } from 'zod';
import { Hono, type Context } from 'hono';
import { deleteOverride, listOverrides, type OverrideActor } from '../../db/oncall/overrides';
import type { Logger } from '../../lib/logger';
import { ROSTER_ONLY } from '../../lib/schedules';
import { onCallAt, segmentsBetween, type Segment, type Turn } from '../../runbooks/onCall';
import { findGaps, ladderRoles } from '../../runbooks/onCallGaps';
import { mayOverride, notEntitled, OVERRIDE_ENTITLED_ROLES, OverrideRequestSchema } from '../../runbooks/onCallOverrides';
import { feedPath, signFeed, type FeedRef } from '../../lib/calendarLinks';
import { feedGeneration, revokeFeed } from '../../db/oncall/calendarFeeds';
import { handoffNotices } from '../../db/oncall/handoffs';
import { personName } from '../../runbooks/roster';
import { runbookNow } from '../../runbooks/runbook';
import type { Role } from '../../runbooks/types';
import { notInRunbook, runbookName } from '../../runbooks/vocabulary';
import { makeOverride, OVERRIDE_SHAPE, overrideJson, wakeHandoffs } from '../oncall/overrideActions';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { jsonBody } from './http/jsonBody';
import { describe } from './http/describe';
import { callingPerson } from './http/callingPerson';
import { queryProblem, wholeDays } from './http/query';

/** GET /oncall and GET /oncall/overrides: what they accept (checked by roleParam and the at parse below). */
export const OverridesQuerySchema = z.object({ role: runbookName.optional().describe('only this role (one of the runbook in force)') });
export const OnCallQuerySchema = OverridesQuerySchema.extend({
  at: z.string().optional().describe('an ISO 8601 date-time (default now)'),
});

const DAY = 86_400_000;
const instant = (what: string) =>
  z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time with a zone, e.g. 2026-11-25T16:00:00Z' }).optional().describe(what);

/** GET /oncall/schedule: one role's shifts over a period of at most a year. */
export const ScheduleQuerySchema = z.object({
  role: runbookName.describe('the role (one of the runbook in force)'),
  from: instant('from (default now): an ISO 8601 date-time with a zone'),
  to: instant('to (default a week after from, at most a year after it)'),
});

/** GET /oncall/gaps: how far ahead to look for a ladder role with nobody. */
export const GapsQuerySchema = z.object({ days: wholeDays(30, 'look this many days ahead') });

/** GET /oncall/handoffs: how far back to read the handoff notices sent. */
export const HandoffsQuerySchema = z.object({ days: wholeDays(7, 'this many days back') });

const turnJson = (t: Turn) => ({
  holders: t.holders.map((p) => ({ id: p.id, name: p.name })),
  source: t.source,
  from: new Date(t.from).toISOString(),
  until: t.until === undefined ? null : new Date(t.until).toISOString(),
});

const segmentJson = (s: Segment) => ({
  from: new Date(s.start).toISOString(),
  to: new Date(s.end).toISOString(),
  holders: s.holders.map((p) => ({ id: p.id, name: p.name })),
  source: s.source,
});

export type TurnJson = ReturnType<typeof turnJson>;
export type ShiftJson = ReturnType<typeof segmentJson>;
/** GET /oncall, /oncall/schedule and /oncall/gaps as the API answers them. */
export interface OnCallJson {
  at: string;
  scheduleVersion: string;
  roles: { role: Role; now: TurnJson; next: TurnJson | null }[];
}
export interface ScheduleJson {
  role: Role;
  from: string;
  to: string;
  scheduleVersion: string;
  shifts: ShiftJson[];
}
export interface GapsJson {
  from: string;
  to: string;
  days: number;
  scheduleVersion: string;
  gaps: { role: Role; from: string; to: string }[];
}

export type { OverrideJson } from '../oncall/overrideActions';

/**
 * Who is on call, and overrides: anyone on the roster may read; an override is made or removed by a database lead or
 * engineering manager, or by the person it replaces (403 otherwise). Each change is audited with the actor and the
 * roster and schedules versions in force.
 */
export function onCallRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  const schedules = () => ctx.schedules?.() ?? ROSTER_ONLY;
  const now = () => (ctx.now ?? Date.now)();
  const person = callingPerson;
  const actorOf = (c: Context<ApiEnv>): OverrideActor => ({
    id: person(c).id,
    rosterVersion: person(c).rosterVersion,
    scheduleVersion: schedules().version,
  });
  const deps = { ...ctx, log };
  /** The refusal of a role the runbook in force does not have, naming those it has; undefined for one of them. */
  const unknownRole = (role: string) => notInRunbook('role', role, 'a role', runbookNow(ctx.runbook).roles);
  const roleParam = (c: Context<ApiEnv>): Role | undefined | Response => {
    const role = c.req.query('role');
    if (role === undefined) return undefined;
    const unknown = unknownRole(role);
    return unknown ? c.json({ error: unknown }, 400) : role;
  };

  // Now and next for one role, or for every role an escalation ladder pages.
  app.get(
    '/',
    describe('who is on call now and next, per role', { tag: 'on-call', auth: 'person', query: OnCallQuerySchema }),
    async (c) => {
      const role = roleParam(c);
      if (role instanceof Response) return role;
      const atText = c.req.query('at');
      const at = atText === undefined ? now() : Date.parse(atText);
      if (Number.isNaN(at)) return c.json({ error: 'at must be an ISO 8601 date-time, e.g. 2026-11-25T16:00:00Z' }, 400);
      const overrides = await listOverrides(ctx.pool, { role, after: at });
      const { roster } = ctx.roster();
      const roles = role ? [role] : ladderRoles(ctx.runbook?.());
      return c.json({
        at: new Date(at).toISOString(),
        scheduleVersion: schedules().version,
        roles: roles.map((r) => {
          const { now: current, next } = onCallAt(schedules().schedules, overrides, roster, r, at);
          return { role: r, now: turnJson(current), next: next ? turnJson(next) : null };
        }),
      });
    },
  );

  // One role's shifts over a period (a gap is a shift with no holders).
  app.get(
    '/schedule',
    describe("one role's shifts over a period (at most a year)", { tag: 'on-call', auth: 'person', query: ScheduleQuerySchema }),
    async (c) => {
      const parsed = ScheduleQuerySchema.safeParse(c.req.query());
      if (!parsed.success) return c.json({ error: queryProblem(parsed.error) }, 400);
      const { role } = parsed.data;
      const refusedRole = unknownRole(role);
      if (refusedRole) return c.json({ error: refusedRole }, 400);
      const from = parsed.data.from ? Date.parse(parsed.data.from) : now();
      const to = parsed.data.to ? Date.parse(parsed.data.to) : from + 7 * DAY;
      if (to <= from) return c.json({ error: 'to must be after from' }, 400);
      if (to - from > 366 * DAY) return c.json({ error: 'from to to is longer than a year: ask for a year at most' }, 400);
      const overrides = await listOverrides(ctx.pool, { role, after: from });
      const segments = segmentsBetween(schedules().schedules, overrides, ctx.roster().roster, role, from, to);
      return c.json({
        role,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        scheduleVersion: schedules().version,
        shifts: segments.map(segmentJson),
      });
    },
  );

  // Every window ahead in which a role some escalation ladder pages has nobody: a page there reaches nobody.
  app.get(
    '/gaps',
    describe('windows ahead in which a role on an escalation ladder has nobody', {
      tag: 'on-call',
      auth: 'person',
      query: GapsQuerySchema,
    }),
    async (c) => {
      const parsed = GapsQuerySchema.safeParse(c.req.query());
      if (!parsed.success) return c.json({ error: queryProblem(parsed.error) }, 400);
      const from = now();
      const to = from + parsed.data.days * DAY;
      const overrides = await listOverrides(ctx.pool, { after: from });
      const gaps = findGaps(schedules().schedules, overrides, ctx.roster().roster, ladderRoles(ctx.runbook?.()), from, to);
      return c.json({
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        days: parsed.data.days,
        scheduleVersion: schedules().version,
        gaps: gaps.map((g) => ({ role: g.role, from: new Date(g.start).toISOString(), to: new Date(g.end).toISOString() })),
      });
    },
  );

  // The handoff notices sent (oncall_handoff_notices): who was told, when, which open incidents changed hands.
  app.get(
    '/handoffs',
    describe('the handoff notices sent: who was told, when, and which open incidents changed hands', {
      tag: 'on-call',
      auth: 'person',
      query: HandoffsQuerySchema,
    }),
    async (c) => {
      const parsed = HandoffsQuerySchema.safeParse(c.req.query());
      if (!parsed.success) return c.json({ error: queryProblem(parsed.error) }, 400);
      const from = now() - parsed.data.days * DAY;
      const { roster } = ctx.roster();
      const notices = await handoffNotices(ctx.pool, { from });
      return c.json({
        days: parsed.data.days,
        notices: notices.map((n) => ({ ...n, personName: personName(roster, n.person) })),
      });
    },
  );

  /** The feed a calendar-url request names, or the response refusing it: a person's is theirs or a lead's to handle. */
  const feedOf = (c: Context<ApiEnv>, roleFeedsEntitledOnly: boolean): FeedRef | Response => {
    const { person: personId, role } = c.req.query();
    if (Boolean(personId) === Boolean(role))
      return c.json({ error: 'give one of person=<roster id> or role=<role>: the feed of that person or that role' }, 400);
    const refusedRole = role ? unknownRole(role) : undefined;
    if (refusedRole) return c.json({ error: refusedRole }, 400);
    const { roster } = ctx.roster();
    if (personId && !roster.people.some((p) => p.id === personId))
      return c.json({ error: `person: '${personId}' is not on the roster in force` }, 400);
    const caller = person(c);
    const entitled = caller.roles.some((r) => OVERRIDE_ENTITLED_ROLES.includes(r));
    if (!entitled && (personId ? personId !== caller.id : roleFeedsEntitledOnly)) {
      log.info({ actor: caller.id, feed: personId ?? role, rosterVersion: caller.rosterVersion }, 'calendar URL refused');
      const leads = OVERRIDE_ENTITLED_ROLES.join(' or ');
      return c.json(
        {
          error: personId
            ? `not entitled: ${personId}'s calendar URL is given to ${personId} or to a ${leads}; a role's calendar (role=…) to anyone on the roster`
            : `not entitled: a role's calendar URLs are revoked by a ${leads}`,
        },
        403,
      );
    }
    if (!ctx.secretKeys) return c.json({ error: 'calendar feeds need DBOPS_SECRET_KEY on the API, which signs them' }, 503);
    return personId ? { kind: 'person', id: personId } : { kind: 'role', id: role };
  };
  const feedUrl = (c: Context<ApiEnv>, ref: FeedRef, generation: number) =>
    `${(ctx.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '')}${feedPath(ref, signFeed(ctx.secretKeys!, ref, generation))}`;

  // A calendar feed's signed URL: a role's for anyone on the roster; a person's for them, or a lead or manager.
  app.get('/calendar-url', describe("a calendar feed's signed URL (ICS)", { tag: 'on-call', auth: 'person' }), async (c) => {
    const ref = feedOf(c, false);
    if (ref instanceof Response) return ref;
    const { generation } = await feedGeneration(ctx.pool, ref);
    return c.json({ url: feedUrl(c, ref, generation), feed: ref, keyId: ctx.secretKeys!.current.id });
  });

  // Revokes every URL of one feed so far (a URL leaked): audited; the answer carries the new URL.
  app.delete('/calendar-url', describe('revoke every URL of one calendar feed so far', { tag: 'on-call', auth: 'person' }), async (c) => {
    const ref = feedOf(c, true);
    if (ref instanceof Response) return ref;
    const caller = person(c);
    const generation = await revokeFeed(ctx.pool, ref, { id: caller.id, rosterVersion: caller.rosterVersion });
    log.info({ actor: caller.id, feed: `${ref.kind}/${ref.id}`, generation }, 'calendar feed revoked');
    return c.json({ revoked: ref, url: feedUrl(c, ref, generation) });
  });

  app.get('/overrides', describe('overrides not yet over', { tag: 'on-call', auth: 'person', query: OverridesQuerySchema }), async (c) => {
    const role = roleParam(c);
    if (role instanceof Response) return role;
    return c.json({ overrides: (await listOverrides(ctx.pool, { role, after: now() })).map(overrideJson(ctx.roster().roster)) });
  });

  app.post(
    '/overrides',
    describe('make an override (or a swap)', { tag: 'on-call', auth: 'person', body: OverrideRequestSchema }),
    async (c) => {
      const body = await jsonBody(c, OVERRIDE_SHAPE);
      if (body instanceof Response) return body;
      const made = await makeOverride(deps, person(c), body);
      return 'overrides' in made ? c.json(made, 201) : c.json({ error: made.error }, made.status);
    },
  );

  app.delete(
    '/overrides/:id',
    describe('remove an override (with the other half of its swap)', { tag: 'on-call', auth: 'person' }),
    async (c) => {
      const id = c.req.param('id');
      if (!/^\d{1,18}$/.test(id)) return c.json({ error: `'${id}' is not an override id (a number, as listed)` }, 400);
      const caller = person(c);
      const result = await deleteOverride(ctx.pool, id, actorOf(c), (overrides) => {
        const refused = overrides.find((o) => !mayOverride(caller, o.replaces));
        return refused && notEntitled(refused.replaces);
      });
      if (!result) return c.json({ error: `no override ${id}` }, 404);
      if (!Array.isArray(result)) {
        log.info({ actor: caller.id, override: id, rosterVersion: caller.rosterVersion }, 'override removal refused');
        return c.json({ error: result.error }, result.status);
      }
      log.info({ actor: caller.id, overrides: result.map((o) => o.id) }, 'override deleted');
      await wakeHandoffs(deps);
      return c.json({ deleted: result.map(overrideJson(ctx.roster().roster)) });
    },
  );
  return app;
}
