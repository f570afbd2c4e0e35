import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { decide } from '../../runbooks/actionPolicy';
import { runbookNow } from '../../runbooks/runbook';
import { OUTCOMES } from '../../runbooks/types';
import { checklistStateQuery, signOffUpdate, type ChecklistRunState } from '../../workflows/checklist/messages';
import type { ConsoleEnv } from './consoleSession';
import { askChecklistPolicy } from './checklistPolicyView';
import type { ConsoleDeps } from './consoleDeps';
import { csrfField, layout, refusalBox } from './layout';
import { nameOf, whenIn } from './readable';

interface RunRow {
  runId: string;
  name: string;
  status: string;
  startedAt: Date;
  counts: string;
}

/** Checklists: the last day's runs and earlier ones; a run's items with a sign-off form for the manual items the person may sign. */
export function checklistRoutes(deps: ConsoleDeps) {
  const app = new Hono<ConsoleEnv>();
  const tz = deps.calendar.timeZone;
  const runLink = (id: string) => `/console/checklists/run?id=${encodeURIComponent(id)}`;

  app.get('/', async (c) => {
    const { rows } = await deps.pool.query(
      `SELECT run_id, name, status, started_at, pass_count, warn_count, fail_count FROM checklist_runs ORDER BY started_at DESC LIMIT 60`,
    );
    const runs: RunRow[] = rows.map((r) => ({
      runId: r.run_id,
      name: r.name,
      status: r.status,
      startedAt: r.started_at,
      counts: `${r.pass_count} pass, ${r.warn_count} warn, ${r.fail_count} fail`,
    }));
    const dayAgo = (deps.now ?? Date.now)() - 86_400_000;
    const list = (rs: RunRow[]) =>
      rs.length
        ? html`<ul class="cards">
            ${rs.map(
              (r) =>
                html`<li class="card">
                  <h3><a href="${runLink(r.runId)}">${r.name}</a></h3>
                  <ul class="meta">
                    <li>${r.status}</li>
                    <li>started ${whenIn(tz, r.startedAt)}</li>
                    <li>${r.counts}</li>
                  </ul>
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">None.</p>`;
    return layout(c, {
      title: 'Checklists',
      signedIn: c.get('signedIn'),
      current: '/console/checklists',
      body: html`<h2>The last 24 hours</h2>
        ${list(runs.filter((r) => r.startedAt.getTime() >= dayAgo))}
        <h2>Earlier reports</h2>
        ${list(runs.filter((r) => r.startedAt.getTime() < dayAgo))}`,
    });
  });

  const runPage = async (
    c: Context<ConsoleEnv>,
    runId: string,
    refusal?: { status: 400 | 403 | 404 | 409; error: string; rule?: string },
  ) => {
    const who = c.get('signedIn');
    let run: ChecklistRunState;
    const handle = deps.client.workflow.getHandle(runId);
    try {
      run = await handle.query(checklistStateQuery);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      return layout(c, { title: 'Checklist run not found', signedIn: who, status: 404, body: refusalBox(`no checklist run '${runId}'`) });
    }
    const { roster } = deps.roster();
    // The form shows where the run's sign-off validator allows: its frozen policy and items (askChecklistPolicy).
    const facts = await askChecklistPolicy(handle, run, runbookNow(deps.runbook));
    const mayPress = (itemId: string) =>
      decide(facts.policy, 'sign-checklist-item', {
        actor: who.person.id,
        actorRoles: who.person.roles,
        itemSignOffRoles: facts.signOffRoles[itemId],
      });
    const { rows } = await deps.pool.query('SELECT report_markdown FROM checklist_runs WHERE run_id = $1', [runId]);
    const report = rows[0]?.report_markdown as string | undefined;
    const done = c.req.query('done');
    const body = html`${refusal ? refusalBox(refusal.error, refusal.rule) : done ? html`<div class="notice" role="status">${done}</div>` : ''}
      <ul class="meta">
        <li>${run.status}</li>
        <li>started ${whenIn(tz, run.startedAt)}</li>
        <li>${run.counts.pass} pass, ${run.counts.warn} warn, ${run.counts.fail} fail</li>
      </ul>
      <ol class="cards">
        ${run.items.map((i) => {
          const decision = i.kind === 'manual' && i.status === 'awaiting-sign-off' ? mayPress(i.itemId) : undefined;
          return html`<li class="card">
            <h3>${i.title}${i.tier ? ` (${i.tier})` : ''}</h3>
            <ul class="meta">
              <li>${i.kind}</li>
              <li>status: <strong>${i.status}</strong>${i.outcome ? ` (${i.outcome})` : ''}</li>
              ${i.signedBy ? html`<li>signed by ${nameOf(roster, i.signedBy)}</li>` : ''}
            </ul>
            ${i.summary ? html`<p>${i.summary}</p>` : ''} ${i.note ? html`<p>Note: ${i.note}</p>` : ''}
            ${
              decision?.allowed
                ? html`<form method="post" action="/console/checklists/sign" class="actions">
                    ${csrfField(who)}<input type="hidden" name="run" value="${run.runId}" /><input
                      type="hidden"
                      name="item"
                      value="${i.itemId}"
                    />
                    <div>
                      <label for="o-${i.key}">Outcome</label>
                      <select id="o-${i.key}" name="outcome">
                        ${OUTCOMES.map((o) => html`<option>${o}</option>`)}
                      </select>
                    </div>
                    <div><label for="n-${i.key}">Note</label><input id="n-${i.key}" name="note" maxlength="2000" /></div>
                    <button type="submit">Sign off “${i.title}”</button>
                  </form>`
                : decision
                  ? html`<p class="muted">Waiting for sign-off by ${decision.rule.id}: ${'why' in decision ? decision.why : ''}.</p>`
                  : ''
            }
          </li>`;
        })}
      </ol>
      ${
        report
          ? html`<h2>Report</h2>
              <pre>${report}</pre>`
          : ''
      }`;
    return layout(c, { title: run.name, signedIn: who, current: '/console/checklists', status: refusal?.status, body });
  };

  app.get('/run', (c) => runPage(c, c.req.query('id') ?? ''));

  // A sign-off as the signed-in person, through the same Update as POST /checklists/:run/items/:item/sign.
  app.post('/sign', async (c) => {
    const who = c.get('signedIn');
    const form = await c.req.parseBody();
    const runId = typeof form.run === 'string' ? form.run : '';
    const itemId = typeof form.item === 'string' ? form.item : '';
    const outcome = (OUTCOMES as readonly unknown[]).includes(form.outcome) ? (form.outcome as (typeof OUTCOMES)[number]) : 'pass';
    const note = typeof form.note === 'string' && form.note.trim() ? form.note.trim() : undefined;
    try {
      await deps.client.workflow.getHandle(runId).executeUpdate(signOffUpdate, {
        args: [{ actor: who.person.id, roles: who.person.roles, rosterVersion: who.rosterVersion, itemId, outcome, note }],
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return runPage(c, runId);
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      const cause = err.cause as (Error & { type?: string; details?: unknown[] }) | undefined;
      const rule = (cause?.details?.[0] as { rule?: unknown } | undefined)?.rule;
      const status = cause?.type === 'NotEntitled' || cause?.type === 'UnknownActor' ? 403 : cause?.type === 'UnknownItem' ? 404 : 409;
      deps.log.info({ actor: who.person.id, refusal: cause?.type, rosterVersion: who.rosterVersion }, 'console checklist sign-off refused');
      return runPage(c, runId, {
        status,
        error: `${cause?.message ?? err.message}; nothing was changed`,
        rule: typeof rule === 'string' ? rule : undefined,
      });
    }
    deps.log.info({ actor: who.person.id, runId, itemId }, 'console checklist sign-off');
    return c.redirect(`${runLink(runId)}&done=${encodeURIComponent('Signed off.')}`, 303);
  });
  return app;
}
