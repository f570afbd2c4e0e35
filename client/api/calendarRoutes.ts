import { Hono } from 'hono';
import { listOverrides } from '../../db/oncall/overrides';
import { feedGeneration } from '../../db/oncall/calendarFeeds';
import { revokedFeed, verifyFeedSig, type FeedRef } from '../../lib/calendarLinks';
import type { Logger } from '../../lib/logger';
import { FEED_PAST_MS, onCallFeed, type FeedSubject } from '../../lib/onCallFeed';
import { ROSTER_ONLY } from '../../lib/schedules';
import { runbookNow } from '../../runbooks/runbook';
import type { Role } from '../../runbooks/types';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import { describe } from './http/describe';

/**
 * The on-call calendar feeds: `GET /calendar/person/<id>.ics?sig=…` and `/calendar/role/<role>.ics?sig=…`, for
 * calendar applications, which send no token: the signature is the credential (lib/calendarLinks.ts). 403 names what
 * is wrong with it; nothing else is told to a caller without a good one.
 */
export function calendarRoutes(ctx: ApiContext, log: Logger) {
  const app = new Hono<ApiEnv>();
  app.get('/:kind/:file', describe('an on-call calendar feed (ICS), by its signed URL', { tag: 'on-call', auth: 'none' }), async (c) => {
    const kind = c.req.param('kind');
    const file = c.req.param('file');
    if ((kind !== 'person' && kind !== 'role') || !file.endsWith('.ics'))
      return c.json({ error: 'a calendar feed is /calendar/person/<id>.ics or /calendar/role/<role>.ics, with its sig' }, 404);
    if (!ctx.secretKeys) return c.json({ error: 'calendar feeds need DBOPS_SECRET_KEY on the API, which signs them' }, 503);
    const ref: FeedRef = { kind, id: file.slice(0, -'.ics'.length) };
    const signed = verifyFeedSig(ctx.secretKeys, ref, c.req.query('sig'));
    const current = 'generation' in signed ? await feedGeneration(ctx.pool, ref) : undefined;
    const refusal = 'refusal' in signed ? signed.refusal : signed.generation !== current!.generation && revokedFeed(current!.lastRevoked);
    if (refusal) {
      log.info({ feed: `${ref.kind}/${ref.id}`, refusal: refusal.slice(0, refusal.indexOf(';')) }, 'calendar feed refused');
      return c.json({ error: refusal }, 403);
    }
    const { roster } = ctx.roster();
    // A signed URL outlives a roster edit: a person who left, or a role no longer known, has no feed.
    if (kind === 'person' && !roster.people.some((p) => p.id === ref.id))
      return c.json({ error: `'${ref.id}' is not on the roster in force: no calendar` }, 404);
    if (kind === 'role' && !runbookNow(ctx.runbook).roles.includes(ref.id))
      return c.json({ error: `'${ref.id}' is not a role of the runbook in force` }, 404);
    const now = (ctx.now ?? Date.now)();
    const subject = (kind === 'person' ? { kind, id: ref.id } : { kind, id: ref.id as Role }) as FeedSubject;
    const ics = onCallFeed(
      {
        schedules: (ctx.schedules?.() ?? ROSTER_ONLY).schedules,
        overrides: await listOverrides(ctx.pool, { after: now - FEED_PAST_MS }),
        roster,
        defaultTimeZone: ctx.calendar.timeZone,
      },
      subject,
      now,
    );
    return c.body(ics, 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `inline; filename="${kind}-${ref.id.replace(/[^A-Za-z0-9._-]/g, '_')}.ics"`,
      'cache-control': 'private, max-age=300',
      'referrer-policy': 'no-referrer',
    });
  });
  return app;
}
