import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { listWindows } from '../../db/maintenance/windows';
import { decide } from '../../runbooks/actionPolicy';
import { DURATION_FORMAT, parseDuration } from '../../runbooks/duration';
import { describeScope, MAX_WINDOW_HOURS } from '../../runbooks/maintenance';
import { runbookNow } from '../../runbooks/runbook';
import { endWindowEarly, makeWindow, windowJson, type WindowRefusal } from '../maintenance/windowActions';
import type { ConsoleDeps } from './consoleDeps';
import type { ConsoleEnv, SignedIn } from './consoleSession';
import { formText, localInstant } from './formValues';
import { csrfField, layout, refusalBox, type Markup } from './layout';
import { nameOf, whenIn } from './readable';

const actorOf = (who: SignedIn) => ({ id: who.person.id, roles: who.person.roles, rosterVersion: who.rosterVersion });

/** A label matcher as typed: `name=value` (exact) or `name=~regex`. */
function labelOf(text: string): Record<string, string | { regex: string }> | Error {
  const m = /^([^=~]{1,64})=(~?)(.+)$/.exec(text);
  if (!m) return new Error(`label '${text.slice(0, 40)}': name=value (exact) or name=~regex, e.g. instance=~oltp-replica-.*`);
  return { [m[1].trim()]: m[2] ? { regex: m[3] } : m[3] };
}

/**
 * Maintenance windows on the console: those active or to come, a form to make one (a tier, an incident type or a
 * label; a start, and a duration or an end) and to end one early, through the same actions as the API's
 * /maintenance (client/maintenance/windowActions.ts): the action policy's `maintenance` rule decides, and a refusal
 * shows it.
 */
export function maintenanceRoutes(deps: ConsoleDeps) {
  const app = new Hono<ConsoleEnv>();
  const tz = deps.calendar.timeZone;
  const now = () => (deps.now ?? Date.now)();

  const page = async (c: Context<ConsoleEnv>, shown?: { status: 400 | 403 | 404 | 409; body: Markup }) => {
    const who = c.get('signedIn');
    const at = now();
    const windows = (await listWindows(deps.pool, {})).map((w) => windowJson(w, at)).filter((w) => w.next);
    const { roster } = deps.roster();
    // The rule the actions below apply (windowActions.ts), and the tiers and types a window may name: the runbook in force's.
    const runbook = runbookNow(deps.runbook);
    const may = decide(runbook.actionPolicy, 'maintenance', {
      actor: who.person.id,
      actorRoles: who.person.roles,
      reason: 'given on the form',
    });
    const done = c.req.query('done');
    const list = windows.length
      ? html`<ul class="cards">
          ${windows.map((w) => {
            const from = Date.parse(w.next!.from);
            const to = Date.parse(w.next!.to);
            return html`<li class="card" id="window-${w.id}">
              <h3>${describeScope(w.scope)}</h3>
              <ul class="meta">
                <li><strong>${from <= at ? 'active now' : 'upcoming'}</strong></li>
                <li>${whenIn(tz, new Date(from))} – ${whenIn(tz, new Date(to))}</li>
                ${w.timing.kind === 'weekly' ? html`<li>every ${w.timing.days.join(', ')} until ${whenIn(tz, new Date(w.timing.until))}</li>` : ''}
                <li>made by ${nameOf(roster, w.createdBy)}</li>
              </ul>
              <p>${w.reason}</p>
              ${
                may.allowed
                  ? html`<form method="post" action="/console/maintenance/${w.id}/end">
                      ${csrfField(who)}<label for="end-reason-${w.id}">Reason to end it now</label>
                      <input id="end-reason-${w.id}" name="reason" required maxlength="2000" />
                      <button type="submit" class="danger">End window now</button>
                    </form>`
                  : ''
              }
            </li>`;
          })}
        </ul>`
      : html`<p class="muted">No maintenance window is active or to come.</p>`;
    const form = may.allowed
      ? html`<h2 id="h-new">New window</h2>
          <form method="post" action="/console/maintenance" aria-labelledby="h-new">
            ${csrfField(who)}
            <p class="muted">
              Alerts in its scope are held, not paged; what still fires at its end opens its incident. Give at least one of tier, type or
              label.
            </p>
            <label for="w-tier">Tier</label>
            <select id="w-tier" name="tier">
              <option value="">any tier</option>
              ${Object.keys(runbook.tiers).map((t) => html`<option>${t}</option>`)}
            </select>
            <label for="w-type">Incident type</label>
            <select id="w-type" name="type">
              <option value="">any type</option>
              ${Object.keys(runbook.incidentTypes).map((t) => html`<option>${t}</option>`)}
            </select>
            <label for="w-label">Label (name=value or name=~regex)</label>
            <input id="w-label" name="label" maxlength="300" />
            <label for="w-start">Start (${tz}; empty: now)</label>
            <input id="w-start" name="start" type="datetime-local" />
            <label for="w-duration">Duration (${DURATION_FORMAT}, at most ${MAX_WINDOW_HOURS}h)</label>
            <input id="w-duration" name="duration" maxlength="20" />
            <label for="w-end">or End (${tz})</label>
            <input id="w-end" name="end" type="datetime-local" />
            <label for="w-reason">Reason</label>
            <input id="w-reason" name="reason" required maxlength="2000" />
            <div class="actions"><button type="submit">Make window</button></div>
          </form>`
      : html`<p class="muted">Making or ending a window: ${may.why} (rule <code>${may.rule.id}</code>). Ask your database lead.</p>`;
    return layout(c, {
      title: 'Maintenance',
      signedIn: who,
      current: '/console/maintenance',
      status: shown?.status,
      body: html`${shown?.body ?? ''}${done && !shown ? html`<div class="notice" role="status">${done}</div>` : ''}
        <h2>Active and upcoming</h2>
        ${list} ${form}`,
    });
  };
  const refused = (c: Context<ConsoleEnv>, r: WindowRefusal) => page(c, { status: r.status, body: refusalBox(r.error, r.rule) });

  app.get('/', (c) => page(c));

  app.post('/', async (c) => {
    const form = await c.req.parseBody();
    const bad = (error: string) => refused(c, { status: 400, error });
    const start = localInstant(form, 'start', 'Start', tz);
    const end = localInstant(form, 'end', 'End', tz);
    if (start instanceof Error) return bad(start.message);
    if (end instanceof Error) return bad(end.message);
    const durationText = formText(form, 'duration');
    if (durationText && end !== undefined) return bad('give a duration or an end, not both');
    const duration = durationText === undefined ? undefined : parseDuration(durationText);
    if (durationText && duration === undefined) return bad(`duration '${durationText.slice(0, 20)}': ${DURATION_FORMAT}`);
    if (duration === undefined && end === undefined) return bad('give a duration (e.g. 2h) or an end');
    const from = start ?? now();
    const labelText = formText(form, 'label');
    const labels = labelText === undefined ? undefined : labelOf(labelText);
    if (labels instanceof Error) return bad(labels.message);
    const tier = formText(form, 'tier');
    const type = formText(form, 'type');
    const made = await makeWindow(deps, actorOf(c.get('signedIn')), {
      reason: formText(form, 'reason') ?? '',
      ...(tier && { tiers: [tier] }),
      ...(type && { types: [type] }),
      ...(labels && { labels }),
      from: new Date(from).toISOString(),
      to: new Date(end ?? from + duration!).toISOString(),
    });
    if (!('window' in made)) return refused(c, made);
    return c.redirect(
      `/console/maintenance?done=${encodeURIComponent(`Window ${made.window.id} made: ${describeScope(made.window.scope)}.`)}`,
      303,
    );
  });

  app.post('/:id/end', async (c) => {
    const form = await c.req.parseBody();
    const ended = await endWindowEarly(deps, actorOf(c.get('signedIn')), c.req.param('id'), formText(form, 'reason'));
    if (!('window' in ended)) return refused(c, ended);
    return c.redirect(
      `/console/maintenance?done=${encodeURIComponent(`Window ${ended.window.id} ended: what it held and still fires opens its incidents now.`)}`,
      303,
    );
  });
  return app;
}
