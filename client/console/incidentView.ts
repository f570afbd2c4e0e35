import { html } from 'hono/html';
import type { Delivery } from '../../db/deliveries/readDeliveries';
import { SEVERITY_LIFECYCLE } from '../../runbooks/alertLifecycle';
import { DURATION_FORMAT, formatDuration } from '../../runbooks/duration';
import { levelLabel } from '../../runbooks/ladderLevels';
import type { Roster } from '../../runbooks/roster';
import { SEVERITIES } from '../../runbooks/types';
import type { IncidentPolicyFacts, IncidentState, StepState } from '../../workflows/incident/messages';
import type { SignedIn } from './consoleSession';
import { incidentPermissions } from './incidentPolicyView';
import { csrfField } from './layout';
import { countdown, nameOf, whenIn } from './readable';

interface IncidentPageData {
  state: IncidentState;
  /** What the incident's validators judge by (its frozen action policy, ladder roles and step approvers). */
  policy: IncidentPolicyFacts;
  deliveries: Delivery[];
  roster: Roster;
  signedIn: SignedIn;
  timeZone: string;
  now: number;
  temporalUiUrl?: string;
  namespace: string;
}

const DELIVERY_KINDS = new Set(['page', 'escalation', 'reminder', 'approval-request']);

/** One incident: its facts, the ladder (who was paged when and how), its steps with their evidence, notes, and the actions the person may take. */
export function incidentBody(d: IncidentPageData) {
  const { state: s, roster, timeZone } = d;
  const may = incidentPermissions(s, d.signedIn.person, d.policy);
  const path = `/console/incidents/${s.incidentId}`;
  const open = s.phase !== 'resolved';
  const name = (id?: string | null) => nameOf(roster, id);
  const due = Date.parse(s.escalation.responseDueAt);
  const next = s.escalation.nextEscalationAt ? Date.parse(s.escalation.nextEscalationAt) : undefined;

  const facts = html`<ul class="meta">
      <li><span class="badge">${s.severity}</span></li>
      <li>${s.type} on ${s.tier}</li>
      <li>phase: <strong>${s.phase}</strong></li>
      <li>opened ${whenIn(timeZone, s.openedAt)}${s.triggerCount > 1 ? ` · ${s.triggerCount} alerts` : ''}</li>
    </ul>
    ${
      d.temporalUiUrl
        ? html`<p>
            <a href="${d.temporalUiUrl}/namespaces/${encodeURIComponent(d.namespace)}/workflows/${encodeURIComponent(s.workflowId)}"
              >The workflow in the Temporal UI</a
            >
            · <a href="/console/audit/${s.incidentId}">Audit trail</a>
          </p>`
        : html`<p><a href="/console/audit/${s.incidentId}">Audit trail</a></p>`
    }`;

  const ack =
    s.phase === 'triggered' && may('acknowledge').allowed
      ? html`<form method="post" action="${path}/ack">${csrfField(d.signedIn)}<button type="submit">Acknowledge</button></form>`
      : '';
  // A snooze pauses the clocks below; the snooze's end, who and why come first.
  const snoozed = s.snooze
    ? html`<p id="snooze-state">
        <strong>Snoozed until ${whenIn(timeZone, s.snooze.until)}</strong> by ${name(s.snooze.by)}: ${s.snooze.reason}. Its clocks are
        paused until then.
      </p>`
    : '';
  const maxSnooze = formatDuration(SEVERITY_LIFECYCLE[s.severity].snoozeMaxMinutes * 60_000);
  const snooze =
    open && !s.snooze && may('snooze').allowed
      ? html`<form method="post" action="${path}/snooze" aria-labelledby="h-snooze">
          <h3 id="h-snooze">Snooze</h3>
          ${csrfField(d.signedIn)}
          <label for="snooze-for">For (${DURATION_FORMAT}; at most ${maxSnooze} at ${s.severity})</label>
          <input id="snooze-for" name="for" required maxlength="20" />
          <label for="snooze-reason">Reason (told to everyone paged)</label>
          <input id="snooze-reason" name="reason" required maxlength="2000" />
          <button type="submit" class="secondary">Snooze</button>
        </form>`
      : '';
  const unsnooze =
    open && s.snooze && may('unsnooze').allowed
      ? html`<form method="post" action="${path}/unsnooze">
          ${csrfField(d.signedIn)}<button type="submit" class="secondary">End the snooze now</button>
        </form>`
      : '';
  const ladderState = s.acknowledgedBy
    ? html`<p id="ladder-state">
        <strong>Escalation stopped:</strong> acknowledged by ${name(s.acknowledgedBy)} ${whenIn(timeZone, s.acknowledgedAt)}.
      </p>`
    : !open
      ? html`<p id="ladder-state"><strong>Escalation stopped:</strong> resolved.</p>`
      : html`<p id="ladder-state">
          <strong>Paging ${levelLabel(s.escalation.rung ?? s.escalation.level, s.escalation.pass)}.</strong>
          Response due <time data-due datetime="${new Date(due).toISOString()}">${countdown(due, d.now)}</time>
          (${whenIn(timeZone, new Date(due))})${
            next ? html`; next level <time data-due datetime="${new Date(next).toISOString()}">${countdown(next, d.now)}</time>` : ''
          }.
        </p>`;
  const pages = d.deliveries.filter((x) => DELIVERY_KINDS.has(x.kind));
  const ladder = html`<section aria-labelledby="h-ladder">
    <h2 id="h-ladder">Escalation</h2>
    ${snoozed} ${ladderState}
    <div class="actions">${ack} ${unsnooze}</div>
    ${
      pages.length
        ? html`<div class="scroll" tabindex="0" role="region" aria-label="Who was paged">
            <table>
              <caption class="muted">
                Who was paged, when and how
              </caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">How</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                ${pages.map(
                  (p) =>
                    html`<tr>
                      <td>${whenIn(timeZone, p.createdAt)}</td>
                      <td>${p.person ? name(p.person) : p.recipients.map((r) => name(r)).join(', ')}</td>
                      <td>${p.kind} by ${p.channel}</td>
                      <td>${p.status}${p.lastError ? `: ${p.lastError}` : ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : html`<p class="muted">No page sent yet.</p>`
    }
    ${snooze}
  </section>`;

  const stepActions = (st: StepState) => {
    const at = `${path}/steps/${encodeURIComponent(st.id)}`;
    const forms = [];
    if (st.status === 'awaiting-completion' && st.kind === 'manual' && may('complete-step').allowed)
      forms.push(
        html`<form method="post" action="${at}/complete">
          ${csrfField(d.signedIn)}
          <label for="note-${st.id}">Note (optional)</label>
          <input id="note-${st.id}" name="note" maxlength="2000" />
          <label for="outcome-${st.id}">Outcome</label>
          <select id="outcome-${st.id}" name="outcome">
            <option>pass</option>
            <option>warn</option>
            <option>fail</option>
          </select>
          <button type="submit">Complete “${st.title}”</button>
        </form>`,
      );
    if (st.status === 'awaiting-approval') {
      if (may('approve-step', st.id).allowed)
        forms.push(
          html`<form method="post" action="${at}/approve">
            ${csrfField(d.signedIn)}<button type="submit">Approve “${st.title}”</button>
          </form>`,
        );
      if (may('reject-step', st.id).allowed)
        forms.push(
          html`<form method="post" action="${at}/reject">
            ${csrfField(d.signedIn)}<label for="reason-${st.id}">Reason to reject</label>
            <input id="reason-${st.id}" name="reason" required maxlength="2000" />
            <button type="submit" class="danger">Reject</button>
          </form>`,
        );
      if (!may('approve-step', st.id).allowed)
        forms.push(
          html`<p class="muted">Waiting for an approver (${may('approve-step', st.id).rule.id}: only the step’s approver roles).</p>`,
        );
    }
    if (st.status === 'awaiting-decision' && may('retry-step').allowed)
      forms.push(
        html`<form method="post" action="${at}/decide">
          ${csrfField(d.signedIn)}
          <label for="decision-${st.id}">Decision</label>
          <select id="decision-${st.id}" name="decision">
            <option>retry</option>
            <option>skip</option>
            <option>abort</option>
          </select>
          <label for="dnote-${st.id}">Reason (needed to abort)</label>
          <input id="dnote-${st.id}" name="note" maxlength="2000" />
          <button type="submit">Decide</button>
        </form>`,
      );
    if (st.kind === 'classify' && st.status === 'awaiting-completion' && may('classify').allowed)
      forms.push(
        html`<form method="post" action="${path}/classify">
          ${csrfField(d.signedIn)}
          <label for="type-${st.id}">Type</label>
          <select id="type-${st.id}" name="type">
            ${d.policy.classifyInto.map((t) => html`<option>${t}</option>`)}
          </select>
          <button type="submit">Classify</button>
        </form>`,
      );
    return forms.length ? html`<div class="actions">${forms}</div>` : '';
  };

  const steps = html`<section aria-labelledby="h-steps">
    <h2 id="h-steps">Steps</h2>
    <ol class="cards">
      ${s.steps.map(
        (st) =>
          html`<li class="card">
            <h3>${st.title}</h3>
            <ul class="meta">
              <li>${st.kind}</li>
              <li>status: <strong>${st.status}</strong>${st.outcome ? ` (${st.outcome})` : ''}</li>
              ${st.by ? html`<li>by ${name(st.by)}</li>` : ''} ${st.finishedAt ? html`<li>${whenIn(timeZone, st.finishedAt)}</li>` : ''}
            </ul>
            ${st.summary ? html`<p>${st.summary}</p>` : ''} ${st.note ? html`<p>Note: ${st.note}</p>` : ''}
            ${st.error ? html`<p class="overdue">Error: ${st.error}</p>` : ''}
            ${
              st.evidence && Object.keys(st.evidence).length
                ? html`<details>
                    <summary>Evidence</summary>
                    <pre>${JSON.stringify(st.evidence, null, 2)}</pre>
                  </details>`
                : ''
            }
            ${open ? stepActions(st) : ''}
          </li>`,
      )}
    </ol>
  </section>`;

  const notes = html`<section aria-labelledby="h-notes">
    <h2 id="h-notes">Notes</h2>
    ${
      s.notes.length
        ? html`<ul>
            ${s.notes.map((n) => html`<li>${whenIn(timeZone, n.at)}, ${name(n.actor)}: ${n.text}</li>`)}
          </ul>`
        : html`<p class="muted">No notes.</p>`
    }
    ${
      open && may('note').allowed
        ? html`<form method="post" action="${path}/notes">
            ${csrfField(d.signedIn)}<label for="note-text">Add a note</label>
            <textarea id="note-text" name="text" rows="2" required maxlength="4000"></textarea>
            <button type="submit" class="secondary">Add note</button>
          </form>`
        : ''
    }
  </section>`;

  const severity =
    open && (may('raise-severity').allowed || may('lower-severity').allowed)
      ? html`<section aria-labelledby="h-severity">
          <h2 id="h-severity">Severity</h2>
          <form method="post" action="${path}/severity">
            ${csrfField(d.signedIn)}<label for="severity">New severity</label>
            <select id="severity" name="severity">
              ${SEVERITIES.filter((v) => v !== s.severity).map((v) => html`<option>${v}</option>`)}
            </select>
            <label for="severity-reason">Reason (needed to lower it)</label>
            <input id="severity-reason" name="reason" maxlength="2000" />
            <button type="submit" class="secondary">Change severity</button>
          </form>
        </section>`
      : '';

  const resolve =
    open && may('resolve').allowed
      ? html`<section aria-labelledby="h-resolve">
          <h2 id="h-resolve">Resolve</h2>
          <form method="post" action="${path}/resolve">
            ${csrfField(d.signedIn)}<label for="summary">Summary</label>
            <input id="summary" name="summary" required maxlength="2000" />
            <button type="submit" class="secondary">Resolve</button>
          </form>
        </section>`
      : s.resolvedBy
        ? html`<p>Resolved by ${name(s.resolvedBy)} ${whenIn(timeZone, s.resolvedAt)}: ${s.resolution ?? ''}</p>`
        : '';

  const timeline = html`<section aria-labelledby="h-timeline">
    <h2 id="h-timeline">Recent timeline</h2>
    <ul>
      ${s.timeline
        .slice(-20)
        .reverse()
        .map(
          (t) =>
            html`<li>
              ${whenIn(timeZone, t.at)} ${t.kind}${t.actor ? html` by ${name(t.actor)}` : ''}${t.detail ? `: ${t.detail}` : ''}
            </li>`,
        )}
    </ul>
  </section>`;

  return html`${s.drill ? html`<p><span class="badge drill">DRILL</span> a drill of the runbook: hooks and approvals are not run</p>` : ''}
    <p class="muted">${s.title}</p>
    ${facts} ${ladder} ${steps} ${notes} ${severity} ${resolve} ${timeline}`;
}
