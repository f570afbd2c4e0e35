import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, deleteCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { randomBytes } from 'node:crypto';
import { authenticateSecret } from '../../db/credentials/credentials';
import { createSession, revokeSession, saveSignInAttempt, takeSignInAttempt } from '../../db/console/sessions';
import { readDeliveries } from '../../db/deliveries/readDeliveries';
import { MAX_BODY_BYTES } from '../../runbooks/limits';
import { runbookNow } from '../../runbooks/runbook';
import { askIncidentPolicy, runbookPolicyFacts } from './incidentPolicyView';
import type { ConsoleDeps } from './consoleDeps';
import { OUTCOMES, SEVERITIES, STEP_DECISIONS } from '../../runbooks/types';
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
} from '../../workflows/incident/messages';
import { DURATION_FORMAT, parseDuration } from '../../runbooks/duration';
import { acknowledgeIncident, refusalOf, resolveIncident, type IncidentHandle } from '../incidents/incidentActions';
import { handleOfRef } from '../incidents/incidentRef';
import { InvalidRequestError } from '../incidents/incidentRequest';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { auditRoutes } from './auditRoutes';
import { checklistRoutes } from './checklistPages';
import {
  clearSessionCookie,
  forgeryOf,
  ownOrigin,
  requireSignIn,
  setHttpOnlyCookie,
  setSessionCookie,
  type ConsoleEnv,
  type SignedIn,
} from './consoleSession';
import { incidentCards, incidentFilters } from './incidentListView';
import { incidentBody } from './incidentView';
import { layout, refusalBox, type Markup } from './layout';
import { oidcSignIn } from './oidcSignIn';
import { formText } from './formValues';
import { maintenanceRoutes } from './maintenancePage';
import { createOverrideFromForm, onCallPage } from './onCallPage';
import { openIncidents, type OpenIncidentFilters } from './openIncidents';
import { personOfIdentity } from './personOfIdentity';
import { reportRoutes } from './reportPages';
import { signInBody } from './signInView';

const SIGN_IN_COOKIE = 'dbops_sign_in';
const OIDC_STATE_COOKIE = 'dbops_oidc_state';

/** Where to go after signing in: a path of this console only (never another site). */
const safeReturn = (value: string | undefined) => (value && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/');

const choice = <T extends string>(choices: readonly T[], value: string | undefined): T | undefined =>
  (choices as readonly string[]).includes(value ?? '') ? (value as T) : undefined;

/**
 * The team's web console, served by the dbops API: GET / lists open incidents, everything else is under /console/.
 * People sign in with the team's OpenID Provider or a personal token; a session lives in the audit store. Every action
 * goes through the same Updates as the API's routes, as the signed-in person with their roles in the roster in force,
 * so the action policy judges it and a refusal shows its rule. Every form carries the session's CSRF token and must
 * come from the console's own origin.
 */
export function consoleRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const settings = deps.console ?? {};
  const log = deps.log;
  const now = () => (deps.now ?? Date.now)();
  const timeZone = deps.calendar.timeZone;
  const oidc = settings.oidc && oidcSignIn(settings.oidc);
  const signedIn = requireSignIn(deps.pool, deps.roster);
  const rosterNow = () => deps.roster().roster;

  app.get('/console/assets/console.css', (c) =>
    c.body(CONSOLE_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }),
  );
  app.get('/console/assets/console.js', (c) =>
    c.body(CONSOLE_JS, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=300' }),
  );

  // ---- Sign-in and sign-out ----
  const signInPage = (c: Context, message?: string, status: 200 | 401 | 403 = 200) => {
    const formToken = randomBytes(24).toString('base64url');
    setHttpOnlyCookie(c, SIGN_IN_COOKIE, formToken, 900, settings.publicUrl);
    const back = safeReturn(c.req.query('return'));
    const why = c.req.query('why') === 'not-on-roster' ? 'Your account is not on the roster in force: ask your database lead.' : undefined;
    return layout(c, {
      title: 'Sign in',
      status,
      body: signInBody({ oidc: Boolean(oidc), returnTo: back, formToken, message: message ?? why }),
    });
  };
  app.get('/console/sign-in', (c) => signInPage(c));

  app.post('/console/sign-in/token', bodyLimit({ maxSize: MAX_BODY_BYTES }), async (c) => {
    const form = await c.req.parseBody();
    const forged = forgeryOf(c, form.csrf, getCookie(c, SIGN_IN_COOKIE) ?? '', settings.publicUrl);
    if (forged) {
      log.warn({ why: forged }, 'console sign-in form refused as forged');
      return signInPage(c, `Refused: ${forged}. Open the sign-in page and try again.`, 403);
    }
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const credential = token ? await authenticateSecret(deps.pool, 'person', token) : undefined;
    if (!credential)
      return signInPage(c, 'That personal token is not valid (unknown or revoked). Make one with: dbops token create --person ID', 401);
    const person = rosterNow().people.find((p) => p.id === credential.subject);
    if (!person) return signInPage(c, `'${credential.subject}' is not on the roster in force.`, 403);
    const { secret } = await createSession(deps.pool, person.id, 'token', credential.id);
    deleteCookie(c, SIGN_IN_COOKIE, { path: '/' });
    setSessionCookie(c, secret, settings.publicUrl);
    log.info({ person: person.id, by: 'token', credentialId: credential.id }, 'console sign-in');
    return c.redirect(safeReturn(typeof form.return === 'string' ? form.return : undefined), 303);
  });

  const callbackUrl = (c: Context) => `${ownOrigin(c, settings.publicUrl)}/console/sign-in/callback`;
  app.get('/console/sign-in/oidc', async (c) => {
    if (!oidc)
      return signInPage(c, 'Sign-in with an identity provider is not configured here (DBOPS_OIDC_ISSUER); use a personal token.', 403);
    let start;
    try {
      start = await oidc.start(callbackUrl(c));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'the OpenID Provider could not be reached');
      return signInPage(c, 'The identity provider could not be reached just now; try again in a moment, or use a personal token.', 401);
    }
    await saveSignInAttempt(deps.pool, { ...start, returnTo: safeReturn(c.req.query('return')) });
    setHttpOnlyCookie(c, OIDC_STATE_COOKIE, start.state, 600, settings.publicUrl);
    return c.redirect(start.url, 302);
  });

  app.get('/console/sign-in/callback', async (c) => {
    if (!oidc) return signInPage(c, 'Sign-in with an identity provider is not configured here.', 403);
    const state = getCookie(c, OIDC_STATE_COOKIE);
    deleteCookie(c, OIDC_STATE_COOKIE, { path: '/' });
    if (c.req.query('error'))
      return signInPage(c, `The identity provider said: ${c.req.query('error_description') ?? c.req.query('error')}`, 401);
    // The state comes back in the URL and must be the one this browser left with (its cookie): a callback forged into
    // someone's browser has another.
    if (!state || state !== c.req.query('state'))
      return signInPage(c, 'This sign-in did not start in this browser (its state does not match); sign in again.', 401);
    const attempt = await takeSignInAttempt(deps.pool, state);
    if (!attempt) return signInPage(c, 'This sign-in expired or was already used; sign in again.', 401);
    let claims;
    try {
      const url = new URL(callbackUrl(c));
      url.search = new URL(c.req.url).search;
      claims = await oidc.finish(url, { state, codeVerifier: attempt.codeVerifier, nonce: attempt.nonce });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'console sign-in with the OpenID Provider failed');
      return signInPage(c, 'The identity provider’s answer could not be verified; sign in again.', 401);
    }
    const person = personOfIdentity(rosterNow(), claims, settings.oidc!.match);
    if (typeof person === 'string') {
      log.info({ subject: claims.sub, why: person }, 'console sign-in of an identity not on the roster refused');
      return signInPage(c, `Signed in with the identity provider, but ${person}. Ask your database lead to add you to the roster.`, 403);
    }
    const { secret } = await createSession(deps.pool, person.id, 'oidc');
    setSessionCookie(c, secret, settings.publicUrl);
    log.info({ person: person.id, by: 'oidc' }, 'console sign-in');
    return c.redirect(attempt.returnTo, 303);
  });

  // ---- Everything else: signed in; every POST from the console's own origin with the session's token ----
  const postLimit = bodyLimit({ maxSize: MAX_BODY_BYTES });
  const guarded = (path: string) => !path.startsWith('/console/sign-in') && !path.startsWith('/console/assets/');
  for (const path of ['/', '/console/*']) {
    app.use(path, async (c, next) => (guarded(c.req.path) ? signedIn(c, next) : next()));
    app.use(path, async (c, next) => (c.req.method === 'POST' ? postLimit(c, next) : next()));
    app.use(path, async (c, next) => {
      if (c.req.method !== 'POST' || !guarded(c.req.path)) return next();
      const who = c.get('signedIn');
      const form = await c.req.parseBody();
      const forged = forgeryOf(c, form.csrf, who.session.csrfToken, settings.publicUrl);
      if (!forged) return next();
      log.warn({ person: who.person.id, why: forged, path: c.req.path }, 'console form refused as forged');
      return layout(c, {
        title: 'Refused',
        signedIn: who,
        status: 403,
        body: refusalBox(`${forged}: a form of this console must be sent from its own pages; nothing was changed.`),
      });
    });
  }

  app.post('/console/sign-out', async (c) => {
    const who = c.get('signedIn');
    await revokeSession(deps.pool, who.secret);
    clearSessionCookie(c);
    log.info({ person: who.person.id }, 'console sign-out');
    return c.redirect('/console/sign-in', 303);
  });

  // ---- Open incidents ----
  const filtersOf = (c: Context): OpenIncidentFilters => ({
    type: choice(Object.keys(runbookNow(deps.runbook).incidentTypes), c.req.query('type')),
    tier: choice(Object.keys(runbookNow(deps.runbook).tiers), c.req.query('tier')),
    severity: choice(SEVERITIES, c.req.query('severity')),
    phase: choice(['triggered', 'acknowledged'] as const, c.req.query('phase')),
  });
  const cards = async (f: OpenIncidentFilters) => {
    const { rows, total } = await openIncidents(deps.pool, f);
    return incidentCards({ rows, total, roster: rosterNow(), timeZone, now: now() });
  };
  app.get('/', async (c) => {
    const f = filtersOf(c);
    const query = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
    return layout(c, {
      title: 'Open incidents',
      signedIn: c.get('signedIn'),
      current: '/',
      body: html`${incidentFilters(f, runbookNow(deps.runbook))}
        <div id="incident-list" data-refresh="/console/incidents/list${query ? `?${query}` : ''}">${await cards(f)}</div>`,
    });
  });
  // The list alone: what the page fetches every few seconds to stay current.
  app.get('/console/incidents/list', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(await cards(filtersOf(c)));
  });

  // ---- One incident ----
  const incidentPage = async (c: Context<ConsoleEnv>, ref: string, shown?: { status: 400 | 403 | 404 | 409; body: Markup }) => {
    const who = c.get('signedIn');
    let state;
    let policy;
    try {
      const handle = await handleOfRef(deps.client, deps.pool, ref, { allowClosed: true });
      // The buttons follow the policy the incident's validators apply: the one frozen into it when it opened.
      [state, policy] = await Promise.all([handle.query(incidentStateQuery), askIncidentPolicy(handle)]);
    } catch (err) {
      const r = refusalOf(err, ref);
      if (!r) throw err;
      return layout(c, { title: 'Incident not found', signedIn: who, status: 404, body: refusalBox(r.error) });
    }
    const done = c.req.query('done');
    return layout(c, {
      title: state.incidentId,
      signedIn: who,
      status: shown?.status,
      body: html`${shown?.body ?? ''}${done && !shown ? html`<div class="notice" role="status">${done}</div>` : ''}
      ${incidentBody({
        state,
        policy: policy ?? runbookPolicyFacts(state, runbookNow(deps.runbook)),
        deliveries: await readDeliveries(deps.pool, state.incidentId),
        roster: rosterNow(),
        signedIn: who,
        timeZone,
        now: now(),
        temporalUiUrl: settings.temporalUiUrl,
        namespace: deps.client.options.namespace,
      })}`,
    });
  };
  app.get('/console/incidents/:ref', (c) => incidentPage(c, c.req.param('ref')));

  const actorOf = (who: SignedIn): ActorRequest => ({ actor: who.person.id, roles: who.person.roles, rosterVersion: who.rosterVersion });
  const text = formText;
  /** An action on the incident, as the signed-in person, through the workflow's Update; a refusal is shown with its rule. */
  const act =
    (done: string, fn: (h: IncidentHandle, form: Record<string, unknown>, actor: ActorRequest, step: string) => Promise<unknown>) =>
    async (c: Context<ConsoleEnv>) => {
      const who = c.get('signedIn');
      const ref = c.req.param('ref') ?? '';
      const form = await c.req.parseBody();
      try {
        const handle = await handleOfRef(deps.client, deps.pool, ref);
        await fn(handle, form, actorOf(who), c.req.param('step') ?? '');
      } catch (err) {
        if (err instanceof InvalidRequestError) return incidentPage(c, ref, { status: 400, body: refusalBox(err.message) });
        const r = refusalOf(err, ref);
        if (!r) throw err;
        log.info(
          { actor: who.person.id, refusal: r.refusal, rule: r.rule, path: c.req.path, rosterVersion: who.rosterVersion },
          'console action refused',
        );
        return incidentPage(c, ref, { status: r.status, body: refusalBox(r.error, r.rule) });
      }
      log.info({ actor: who.person.id, path: c.req.path }, 'console action');
      return c.redirect(`/console/incidents/${encodeURIComponent(ref)}?done=${encodeURIComponent(done)}`, 303);
    };
  app.post(
    '/console/incidents/:ref/ack',
    act('Acknowledged: the escalation has stopped.', (h, _f, a) => acknowledgeIncident(h, a)),
  );
  app.post(
    '/console/incidents/:ref/notes',
    act('Note added.', (h, f, a) => h.executeUpdate(addNoteUpdate, { args: [{ ...a, text: text(f, 'text') ?? '' }] })),
  );
  app.post(
    '/console/incidents/:ref/resolve',
    act('Resolved.', (h, f, a) => resolveIncident(h, a, text(f, 'summary') ?? '')),
  );
  app.post(
    '/console/incidents/:ref/severity',
    act('Severity changed.', (h, f, a) =>
      h.executeUpdate(changeSeverityUpdate, {
        args: [{ ...a, severity: choice(SEVERITIES, text(f, 'severity')) ?? ('' as never), reason: text(f, 'reason') }],
      }),
    ),
  );
  app.post(
    '/console/incidents/:ref/classify',
    act('Classified: that type’s steps run now.', (h, f, a) =>
      // The incident's own choices decide (its validator names them): a runbook file may add types.
      h.executeUpdate(classifyUpdate, { args: [{ ...a, type: text(f, 'type') ?? '' }] }),
    ),
  );
  app.post(
    '/console/incidents/:ref/snooze',
    act('Snoozed: its clocks are paused, and everyone paged is told why.', (h, f, a) => {
      const forMs = parseDuration(text(f, 'for') ?? '');
      if (forMs === undefined) throw new InvalidRequestError(`For '${(text(f, 'for') ?? '').slice(0, 20)}': ${DURATION_FORMAT}`);
      return h.executeUpdate(snoozeUpdate, { args: [{ ...a, forMs, reason: text(f, 'reason') ?? '' }] });
    }),
  );
  app.post(
    '/console/incidents/:ref/unsnooze',
    act('Snooze ended: the clocks run again.', (h, _f, a) => h.executeUpdate(unsnoozeUpdate, { args: [{ ...a }] })),
  );
  app.post(
    '/console/incidents/:ref/steps/:step/complete',
    act('Step completed.', (h, f, a, stepId) =>
      h.executeUpdate(completeStepUpdate, {
        args: [{ ...a, stepId, outcome: choice(OUTCOMES, text(f, 'outcome')) ?? 'pass', note: text(f, 'note') }],
      }),
    ),
  );
  app.post(
    '/console/incidents/:ref/steps/:step/approve',
    act('Step approved.', (h, f, a, stepId) => h.executeUpdate(approveStepUpdate, { args: [{ ...a, stepId, note: text(f, 'note') }] })),
  );
  app.post(
    '/console/incidents/:ref/steps/:step/reject',
    act('Step rejected.', (h, f, a, stepId) =>
      h.executeUpdate(rejectStepUpdate, { args: [{ ...a, stepId, reason: text(f, 'reason') ?? '' }] }),
    ),
  );
  app.post(
    '/console/incidents/:ref/steps/:step/decide',
    act('Decision recorded.', (h, f, a, stepId) =>
      h.executeUpdate(decideStepUpdate, {
        args: [{ ...a, stepId, decision: choice(STEP_DECISIONS, text(f, 'decision')) ?? ('' as never), note: text(f, 'note') }],
      }),
    ),
  );

  // ---- On call, checklists, audit, reports ----
  app.get('/console/oncall', (c) => onCallPage(c, deps));
  app.post('/console/oncall/overrides', (c) => createOverrideFromForm(c, deps));
  app.route('/console/maintenance', maintenanceRoutes(deps));
  app.route('/console/checklists', checklistRoutes(deps));
  app.route('/console/audit', auditRoutes(deps));
  app.route('/console/reports', reportRoutes(deps));

  app.onError((err, c) => {
    log.error({ err, path: c.req.path }, 'console request failed');
    return layout(c, {
      title: 'Try again in a moment',
      status: 503,
      body: html`<p>dbops could not reach a server it needs (Temporal or the audit store) just now. Nothing was changed.</p>`,
    });
  });
  return app;
}
