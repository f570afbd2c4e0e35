import type { Context } from 'hono';
import { html } from 'hono/html';
import { listOverrides } from '../../db/oncall/overrides';
import { ROSTER_ONLY } from '../../lib/schedules';
import { onCallAt, segmentsBetween, type HoldSource } from '../../runbooks/onCall';
import { ladderRoles } from '../../runbooks/onCallGaps';
import type { ConsoleEnv } from './consoleSession';
import type { ConsoleDeps } from './consoleDeps';
import { layout } from './layout';
import { nameOf, whenIn } from './readable';

const DAY = 86_400_000;
const sourceText = (s: HoldSource) =>
  s.kind === 'override' ? 'override' : s.kind === 'layer' ? (s.name ?? `layer ${s.layer + 1}`) : s.kind === 'roster' ? 'roster' : 'nobody';

/** Who holds each ladder role now and next, the week's schedule by role, and the overrides to come: through the same functions as GET /oncall. */
export async function onCallPage(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
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
    <p class="muted">Make or remove one with <code>dbops override create</code> / <code>dbops override delete</code>.</p>`;
  return layout(c, { title: 'On call', signedIn: c.get('signedIn'), current: '/console/oncall', body });
}
