import type { Context } from 'hono';
import { html } from 'hono/html';
import { listOverrides } from '../../db/oncall/overrides';
import { ROSTER_ONLY } from '../../lib/schedules';
import { onCallAt, segmentsBetween, type HoldSource } from '../../runbooks/onCall';
import { ladderRoles } from '../../runbooks/onCallGaps';
import { runbookNow } from '../../runbooks/runbook';
import { makeOverride } from '../oncall/overrideActions';
import type { ConsoleEnv } from './consoleSession';
import type { ConsoleDeps } from './consoleDeps';
import { formText, localInstant } from './formValues';
import { csrfField, layout, refusalBox, type Markup } from './layout';
import { nameOf, whenIn } from './readable';

const DAY = 86_400_000;
const sourceText = (s: HoldSource) =>
  s.kind === 'override' ? 'override' : s.kind === 'layer' ? (s.name ?? `layer ${s.layer + 1}`) : s.kind === 'roster' ? 'roster' : 'nobody';

/**
 * Who holds each ladder role now and next, the week's schedule by role, the overrides to come (through the same
 * functions as GET /oncall), and a form to make an override.
 */
export async function onCallPage(c: Context<ConsoleEnv>, deps: ConsoleDeps, shown?: { status: 400 | 403; body: Markup }) {
  const who = c.get('signedIn');
  const at = (deps.now ?? Date.now)();
  const schedules = (deps.schedules?.() ?? ROSTER_ONLY).schedules;
  const { roster } = deps.roster();
  const overrides = await listOverrides(deps.pool, { after: at });
  const tz = deps.calendar.timeZone;
  const people = (ps: { name: string }[]) => (ps.length ? ps.map((p) => p.name).join(', ') : 'nobody');
  const roles = ladderRoles();
  const body = html`<h2>Now and next</h2>
    <ul class="cards">
      ${roles.map((role) => {
        const { now, next } = onCallAt(schedules, overrides, roster, role, at);
        return html`<li class="card">
          <h3>${role}</h3>
          <p>
            <strong>${people(now.holders)}</strong>
            (${sourceText(now.source)})${now.until ? html`, until ${whenIn(tz, new Date(now.until))}` : ''}
          </p>
          ${next ? html`<p>Next: ${people(next.holders)} from ${whenIn(tz, new Date(next.from))}</p>` : ''}
        </li>`;
      })}
    </ul>
    <h2>The next 7 days</h2>
    ${roles.map((role) => {
      const segments = segmentsBetween(schedules, overrides, roster, role, at, at + 7 * DAY);
      return html`<details>
        <summary>${role} (${segments.length} ${segments.length === 1 ? 'shift' : 'shifts'})</summary>
        <ul>
          ${segments.map(
            (s) =>
              html`<li>
                ${whenIn(tz, new Date(s.start))} – ${whenIn(tz, new Date(s.end))}: ${people(s.holders)} (${sourceText(s.source)})
              </li>`,
          )}
        </ul>
      </details>`;
    })}
    <h2>Overrides</h2>
    ${
      overrides.length
        ? html`<ul>
            ${overrides.map(
              (o) =>
                html`<li>
                  ${o.role}: ${nameOf(roster, o.person)} from ${whenIn(tz, new Date(o.start))} to
                  ${whenIn(tz, new Date(o.end))}${
                    o.replaces.length ? `, instead of ${o.replaces.map((p) => nameOf(roster, p)).join(', ')}` : ''
                  }${o.reason ? ` (${o.reason})` : ''};
                  made by ${nameOf(roster, o.createdBy)}
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">No overrides now or to come.</p>`
    }
    <h2 id="h-override">New override</h2>
    <form method="post" action="/console/oncall/overrides" aria-labelledby="h-override">
      ${csrfField(who)}
      <p class="muted">
        Someone takes a role for a while: made by a database lead or engineering manager, or by the person whose shift it takes. Remove one
        with <code>dbops override delete</code>.
      </p>
      <label for="o-role">Role</label>
      <select id="o-role" name="role">
        ${runbookNow(deps.runbook).roles.map((r) => html`<option>${r}</option>`)}
      </select>
      <label for="o-person">Who takes it</label>
      <select id="o-person" name="person">
        ${roster.people.map((p) => html`<option value="${p.id}" ${p.id === who.person.id ? 'selected' : ''}>${p.name}</option>`)}
      </select>
      <label for="o-from">From (${tz}; empty: now)</label>
      <input id="o-from" name="from" type="datetime-local" />
      <label for="o-to">Until (${tz})</label>
      <input id="o-to" name="to" type="datetime-local" required />
      <label for="o-reason">Reason (optional)</label>
      <input id="o-reason" name="reason" maxlength="2000" />
      <div class="actions"><button type="submit">Make override</button></div>
    </form>`;
  const done = c.req.query('done');
  return layout(c, {
    title: 'On call',
    signedIn: who,
    current: '/console/oncall',
    status: shown?.status,
    body: html`${shown?.body ?? ''}${done && !shown ? html`<div class="notice" role="status">${done}</div>` : ''}${body}`,
  });
}

/** POST /console/oncall/overrides: an override as the signed-in person, through the API's own action. */
export async function createOverrideFromForm(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  const who = c.get('signedIn');
  const tz = deps.calendar.timeZone;
  const form = await c.req.parseBody();
  const bad = (error: string) => onCallPage(c, deps, { status: 400, body: refusalBox(error) });
  const from = localInstant(form, 'from', 'From', tz);
  const to = localInstant(form, 'to', 'Until', tz);
  if (from instanceof Error) return bad(from.message);
  if (to instanceof Error) return bad(to.message);
  if (to === undefined) return bad('give the time the override ends (Until)');
  const made = await makeOverride(
    deps,
    { id: who.person.id, roles: who.person.roles, rosterVersion: who.rosterVersion },
    {
      role: formText(form, 'role') ?? '',
      person: formText(form, 'person') ?? '',
      from: new Date(from ?? (deps.now ?? Date.now)()).toISOString(),
      to: new Date(to).toISOString(),
      ...(formText(form, 'reason') && { reason: formText(form, 'reason') }),
    },
  );
  if (!('overrides' in made)) return onCallPage(c, deps, { status: made.status, body: refusalBox(made.error) });
  const o = made.overrides[0];
  const { roster } = deps.roster();
  return c.redirect(
    `/console/oncall?done=${encodeURIComponent(`Override made: ${nameOf(roster, o.person)} holds ${o.role} until ${whenIn(tz, o.to)}.`)}`,
    303,
  );
}
