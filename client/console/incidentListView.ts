import { html } from 'hono/html';
import type { Roster } from '../../runbooks/roster';
import type { Runbook } from '../../runbooks/runbook';
import { SEVERITIES } from '../../runbooks/types';
import { LIST_LIMIT, type OpenIncidentFilters, type OpenIncidentRow } from './openIncidents';
import { countdown, nameOf, whenIn } from './readable';

const select = (name: string, label: string, choices: readonly string[], chosen?: string) =>
  html`<div>
    <label for="f-${name}">${label}</label>
    <select id="f-${name}" name="${name}">
      <option value="">any</option>
      ${choices.map((v) => html`<option value="${v}" ${v === chosen ? 'selected' : ''}>${v}</option>`)}
    </select>
  </div>`;

/** The filters' form: GET, so a filtered list is a link to share. Types and tiers are the runbook in force's. */
export const incidentFilters = (f: OpenIncidentFilters, runbook: Pick<Runbook, 'incidentTypes' | 'tiers'>) =>
  html`<form class="filters" method="get" action="/">
    ${select('severity', 'Severity', SEVERITIES, f.severity)} ${select('type', 'Type', Object.keys(runbook.incidentTypes), f.type)}
    ${select('tier', 'Tier', Object.keys(runbook.tiers), f.tier)} ${select('phase', 'Phase', ['triggered', 'acknowledged'], f.phase)}
    <button type="submit" class="secondary">Filter</button>
  </form>`;

/** The list itself (also what the page fetches to refresh it): one card per incident, its deadline and who was paged. */
export function incidentCards(o: { rows: OpenIncidentRow[]; total: number; roster: Roster; timeZone: string; now: number }) {
  const more = o.total - o.rows.length;
  const count = html`<p class="muted" aria-live="polite">
    ${o.total === 0 ? 'No open incidents.' : `${o.total} open${more > 0 ? `; the newest ${LIST_LIMIT} shown, narrow the filters for the rest` : ''}.`}
  </p>`;
  const cards = o.rows.map((r) => {
    const due = r.nextDeadline?.at.getTime();
    return html`<li class="card sev-${r.severity}">
      <h2>
        ${r.drill ? html`<span class="badge drill">DRILL</span> ` : ''}<a href="/console/incidents/${r.incidentId}">${r.incidentId}</a> ·
        ${r.title}
      </h2>
      <ul class="meta">
        <li><span class="badge">${r.severity}</span></li>
        <li>${r.type} on ${r.tier}</li>
        <li>level ${r.escalationLevel + 1}</li>
        <li>opened ${whenIn(o.timeZone, r.openedAt)}</li>
        ${
          r.acknowledgedBy
            ? html`<li>acknowledged by ${nameOf(o.roster, r.acknowledgedBy)}</li>`
            : due !== undefined
              ? html`<li>
                  ${r.nextDeadline!.what}
                  <time data-due datetime="${new Date(due).toISOString()}" class="${due < o.now ? 'overdue' : ''}"
                    >${countdown(due, o.now)}</time
                  >
                </li>`
              : ''
        }
        <li>paged: ${r.paged.length ? r.paged.map((p) => nameOf(o.roster, p)).join(', ') : 'nobody yet'}</li>
      </ul>
    </li>`;
  });
  return html`${count}
    <ul class="cards">
      ${cards}
    </ul>`;
}
