import { levelLabel } from '../../runbooks/ladderLevels';
import { Hono, type Context } from 'hono';
import { pageLinkUsed, usePageLinkOnce } from '../../db/pageLinks/usedPageLinks';
import { escapeHtml } from '../../lib/html';
import { htmlText } from '../../lib/inertText';
import { inZone } from '../../lib/timeInZone';
import { runbookNow } from '../../runbooks/runbook';
import { askIncidentPolicy } from '../console/incidentPolicyView';
import { clipText } from '../../runbooks/limits';
import type { Logger } from '../../lib/logger';
import { verifyPageLink, type LinkRefusal, type PageLink, type PageLinkPurpose } from '../../lib/pageLinks';
import { personName, type Person } from '../../runbooks/roster';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { acknowledgeIncident, refusalOf } from '../incidents/incidentActions';
import { handleOfRef } from '../incidents/incidentRef';
import type { ApiEnv } from './authenticate';
import type { ApiContext } from './apiContext';
import type { createRateLimiter } from './rateLimiter';
import { describe } from './http/describe';

type Status = 200 | 400 | 403 | 404 | 409 | 410 | 429 | 503;

/** A request's path fit for a log line: a page link's token is a credential, so it is left out. */
export const loggablePath = (path: string) => path.replace(/^\/links\/([^/]+)\/.*/, '/links/$1/[token]');

/** What a page link shows when a server dbops needs (Temporal, the audit store) did not answer. */
export function linkFailedPage(c: Context) {
  return page(
    c,
    503,
    'Try again in a moment',
    '<p>dbops could not reach the incident just now (a server it needs did not answer in time). This link still works: open it again in a moment, and it says whether your acknowledgement went through.</p>',
  );
}

const REFUSAL: Record<LinkRefusal, { status: Status; text: string }> = {
  malformed: { status: 400, text: 'This is not a complete dbops link. Your mail program may have cut it: open it from the page again.' },
  tampered: { status: 403, text: 'This link’s signature is not valid: it was changed, or it was made with another secret.' },
  expired: { status: 410, text: 'This link has expired. Use the dbops CLI or a newer page.' },
  'wrong-purpose': { status: 400, text: 'This link is not for this page.' },
};

/**
 * Pages people act on from their phone or mail: GET /links/ack/<token> shows who they act as and a button; only the
 * button's POST acknowledges (mail scanners fetch links; a GET changes nothing), once, as the person the link was
 * signed for, through the API's own acknowledge and the workflow's validators. GET /links/open/<token> shows the
 * incident. A bad, expired, used or orphaned link gets a page saying so, a 4xx, and changes nothing.
 */
export function pageLinkRoutes(ctx: ApiContext, log: Logger, limiter: ReturnType<typeof createRateLimiter>, secret: string | undefined) {
  const app = new Hono<ApiEnv>();

  type Linked = { link: PageLink; person: Person; version: string };

  /** The link the request's token names and its person in the roster in force, or the page refusing it. */
  const linkOf = (c: Context<ApiEnv>, purpose: PageLinkPurpose): Linked | Response => {
    if (!secret) return page(c, 404, 'Links are not enabled', '<p>This dbops does not sign page links (DBOPS_LINK_SECRET is not set).</p>');
    const verified = verifyPageLink(secret, c.req.param('token') ?? '', purpose, (ctx.now ?? Date.now)());
    if (!verified.ok) {
      log.info({ refusal: verified.reason, purpose }, 'page link refused');
      const r = REFUSAL[verified.reason];
      return page(c, r.status, 'Link refused', `<p>${escapeHtml(r.text)}</p><p>Nothing was changed.</p>`);
    }
    const wait = limiter.take(`link:${verified.link.linkId}`);
    if (wait) {
      c.header('Retry-After', String(wait));
      return page(c, 429, 'Too many requests', `<p>Try again in ${wait} s. Nothing was changed.</p>`);
    }
    const { roster, version } = ctx.roster();
    const person = roster.people.find((p) => p.id === verified.link.person);
    if (!person) {
      log.warn({ person: verified.link.person, rosterVersion: version }, 'a page link of a person not on the roster was refused');
      return page(
        c,
        403,
        'Link refused',
        `<p>${htmlText(verified.link.person)} is not on the roster in force (version ${escapeHtml(version)}), so this link no longer acts for anybody.</p><p>Nothing was changed.</p>`,
      );
    }
    return { link: verified.link, person, version };
  };

  /**
   * What the summary adds to the incident's facts: the team's zone, the names of who was paged, and its type's name as
   * its own plan froze it (its workflow's policy query), else as the runbook in force names it.
   */
  const diagnosisOf = async (link: PageLink, state: IncidentState): Promise<SummaryContext> => {
    const { roster } = ctx.roster();
    const handle = await handleOfRef(ctx.client, ctx.pool, link.incidentId, { allowClosed: true, workflowId: link.workflowId });
    const typeName = (await askIncidentPolicy(handle))?.typeName ?? runbookNow(ctx.runbook).incidentTypes[state.type]?.name;
    return { timeZone: ctx.calendar.timeZone, nameOf: (id) => personName(roster, id), typeName: typeName ?? state.type };
  };
  /** The incident in the console (DBOPS_PUBLIC_URL, else the address this request came to). */
  const consoleLink = (c: Context<ApiEnv>, incidentId: string) => {
    const base = (ctx.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    return `<p><a href="${escapeHtml(`${base}/incidents/${encodeURIComponent(incidentId)}`)}">Open the incident in the console</a></p>`;
  };

  /** Who already resolved or acknowledged the incident, by name, and when in the team's zone (HTML), if anybody did. */
  const alreadyDone = (s: IncidentState): string | undefined => {
    const nameOf = (id: string | undefined) => htmlText(id ? personName(ctx.roster().roster, id) : 'someone');
    if (s.phase === 'resolved') return `It was already resolved by ${nameOf(s.resolvedBy)}.`;
    if (s.acknowledgedBy)
      return `It was already acknowledged by ${nameOf(s.acknowledgedBy)}${s.acknowledgedAt ? ` at ${escapeHtml(inZone(s.acknowledgedAt, ctx.calendar.timeZone))}` : ''}.`;
    return undefined;
  };

  // A link names its incident's workflow too (signed): it works before the incident's audit row is written.
  const stateOf = async (link: PageLink): Promise<IncidentState> =>
    (await handleOfRef(ctx.client, ctx.pool, link.incidentId, { allowClosed: true, workflowId: link.workflowId })).query(
      incidentStateQuery,
    );

  /**
   * A handler of a link's page: the link checked first (a refusal page when it is bad, expired, rate-limited or its
   * person left the roster); then the handler, whose refusals by the API's own rules (unknown or closed incident, a
   * validator's no) become a page. Anything else is thrown.
   */
  const linkHandler =
    (purpose: PageLinkPurpose, handle: (c: Context<ApiEnv>, found: Linked) => Promise<Response>) => async (c: Context<ApiEnv>) => {
      const found = linkOf(c, purpose);
      if (found instanceof Response) return found;
      try {
        return await handle(c, found);
      } catch (err) {
        const r = refusalOf(err, found.link.incidentId);
        if (!r) throw err;
        if (r.refusal)
          log.info({ actor: found.person.id, refusal: r.refusal, purpose, rosterVersion: found.version }, 'page link action refused');
        // Somebody was quicker: say who by name and when in the team's zone, as the confirmation page does.
        const done =
          r.refusal === 'AlreadyAcknowledged' || r.refusal === 'AlreadyResolved'
            ? await stateOf(found.link).then(alreadyDone, () => undefined)
            : undefined;
        return page(c, r.status, 'Not acknowledged', done ? `<p>${done} Nothing was changed.</p>` : `<p>${htmlText(r.error)}</p>`);
      }
    };

  app.get(
    '/ack/:token',
    describe('the acknowledge page of a signed page link (HTML; changes nothing)', { tag: 'page links', auth: 'page-link' }),
    linkHandler('ack', async (c, { link, person }) => {
      const used = await pageLinkUsed(ctx.pool, link.linkId);
      if (used) return usedPage(c, used.usedAt);
      const state = await stateOf(link);
      const done = alreadyDone(state);
      // The button first: a phone at 3 a.m. shows it without scrolling; what is wrong follows.
      const body =
        `<p>You act as <strong>${htmlText(person.name)}</strong> (${htmlText(person.id)}).</p>` +
        (done
          ? `<p>${done} Nothing to do here.</p>`
          : `<form method="post"><button type="submit">Acknowledge as ${htmlText(person.name)}</button></form>` +
            `<p><small>This link works once, until ${escapeHtml(new Date(link.expiresAt * 1000).toISOString())}.</small></p>`) +
        incidentSummary(state, await diagnosisOf(link, state)) +
        consoleLink(c, state.incidentId);
      return page(c, done ? 409 : 200, `Acknowledge ${state.incidentId}?`, body, incidentHeading(state));
    }),
  );

  app.post(
    '/ack/:token',
    describe('acknowledge through a signed page link, once (HTML)', { tag: 'page links', auth: 'page-link' }),
    linkHandler('ack', async (c, { link, person, version }) => {
      const outcome = await usePageLinkOnce(ctx.pool, link, async () => {
        const handle = await handleOfRef(ctx.client, ctx.pool, link.incidentId, { workflowId: link.workflowId });
        // The Update's id is the link's: a press answered 503 whose Update still went through (it was late, not lost)
        // is pressed again and gets that Update's answer, "Acknowledged", not "already acknowledged".
        return acknowledgeIncident(
          handle,
          { actor: person.id, roles: person.roles, rosterVersion: version },
          `acknowledged from a page link (${link.linkId.slice(0, 12)})`,
          `page-link-ack:${link.linkId}`,
        );
      });
      if (outcome.used) return usedPage(c);
      const state = outcome.result;
      log.info({ actor: person.id, incidentId: state.incidentId, rosterVersion: version }, 'acknowledged from a page link');
      return page(
        c,
        200,
        `Acknowledged ${state.incidentId}`,
        `<p>Acknowledged as <strong>${htmlText(person.name)}</strong> at ${escapeHtml(state.acknowledgedAt)}. The escalation has stopped.</p>` +
          incidentSummary(state, await diagnosisOf(link, state)) +
          consoleLink(c, state.incidentId),
        incidentHeading(state),
      );
    }),
  );

  app.get(
    '/open/:token',
    describe('the incident page of a signed page link (HTML)', { tag: 'page links', auth: 'page-link' }),
    linkHandler('open', async (c, { link, person }) => {
      const state = await stateOf(link);
      const steps = state.steps
        .map((s) => `<li>${htmlText(s.title)}: ${escapeHtml(s.status)}${s.outcome ? ` (${escapeHtml(s.outcome)})` : ''}</li>`)
        .join('');
      const timeline = state.timeline
        .slice(-15)
        .map(
          (t) =>
            `<li>${escapeHtml(t.at)} ${escapeHtml(t.kind)}${t.actor ? ` by ${htmlText(t.actor)}` : ''}${t.detail ? `: ${htmlText(t.detail)}` : ''}</li>`,
        )
        .join('');
      return page(
        c,
        200,
        state.incidentId,
        incidentSummary(state, await diagnosisOf(link, state)) +
          `<p>Viewing as ${htmlText(person.name)}. Act with the acknowledge link of your page, or the dbops CLI.</p>` +
          consoleLink(c, state.incidentId) +
          `<h2>Steps</h2><ul>${steps}</ul><h2>Recent timeline</h2><ul>${timeline}</ul>`,
        incidentHeading(state),
      );
    }),
  );

  return app;
}

/** The team's zone (deadlines are shown in it) and how an id on the roster is named. */
interface SummaryContext {
  timeZone: string;
  nameOf: (id: string) => string;
  typeName: string;
}

/** The heading of a page about an incident: its INC id above its title, both wrapping on a phone. */
function incidentHeading(s: IncidentState): string {
  return `<span class="inc">${escapeHtml(s.incidentId)}</span> ${htmlText(s.title)}`;
}

/**
 * The incident's facts as a table, with what a responder needs to decide: the response deadline in the team's zone,
 * the automated checks' findings so far, who was paged, the runbook's next step. Every value in <bdi>, isolated
 * from the page's words around it.
 */
function incidentSummary(s: IncidentState, d: SummaryContext): string {
  const due = s.escalation.responseDueAt;
  const next = s.stepsAborted ? undefined : s.steps[s.currentStep];
  const rows: [string, string | undefined][] = [
    ['Severity', s.severity],
    ['Type', d.typeName],
    ['Tier', s.tier],
    ['Phase', s.phase],
    ['Respond by', s.acknowledgedAt ? undefined : `${inZone(due, d.timeZone)}${s.escalation.responseMissed ? ' (passed)' : ''}`],
    ['Opened', inZone(s.openedAt, d.timeZone)],
    ['Acknowledged by', s.acknowledgedBy],
    ['Escalation', levelLabel(s.escalation.rung ?? s.escalation.level, s.escalation.pass)],
    ['Paged', s.paged?.length ? s.paged.map(d.nameOf).join(', ') : undefined],
    ['Next step', next && s.phase !== 'resolved' ? `${next.title} (${next.status})` : undefined],
  ];
  const checks = s.steps.filter((step) => (step.kind === 'automated' || step.kind === 'probe') && step.outcome);
  return (
    `<table>${rows
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${htmlText(v)}</td></tr>`)
      .join('')}</table>` +
    `<h2>Automated checks so far</h2>` +
    (checks.length
      ? `<ul>${checks.map((c) => `<li>${htmlText(`${c.title}: ${c.outcome}${c.summary ? ` (${clipText(c.summary, 300)})` : ''}`)}</li>`).join('')}</ul>`
      : '<p>None has finished yet.</p>')
  );
}

function usedPage(c: Context, usedAt?: string) {
  return page(
    c,
    409,
    'Link already used',
    `<p>This acknowledge link was already used${usedAt ? ` at ${escapeHtml(usedAt)}` : ''}; a link works once.</p><p>Nothing was changed.</p>`,
  );
}

/**
 * An HTML page: UTF-8, never cached (it names a person and an incident), never framed (a framed button could be
 * clicked by trickery), sending no Referer (the link in the address bar is a credential), running no script.
 */
function page(c: Context, status: Status, title: string, body: string, heading?: string) {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<meta name="robots" content="noindex"><title>${escapeHtml(title)} · dbops</title>` +
      // Readable on a 390-pixel phone: long ids and titles wrap, the table's values too, the button is large.
      `<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;overflow-wrap:anywhere}` +
      `h1{font-size:1.4rem;line-height:1.3}h1 .inc{display:block;font-size:.95rem;font-weight:normal;color:#555}h2{font-size:1.1rem}` +
      `th{text-align:left;padding-right:1rem;vertical-align:top}td{overflow-wrap:anywhere}button{font-size:1.2rem;padding:.8rem 1.4rem;width:100%;max-width:24rem}</style>` +
      `</head><body><h1>${heading ?? escapeHtml(title)}</h1>${body}</body></html>`,
    status,
  );
}
