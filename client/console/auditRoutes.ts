import { Hono } from 'hono';
import { html } from 'hono/html';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { findIncident, IncidentRefError, isIncidentId } from '../incidents/incidentRef';
import { verifyIncidentAudit } from '../incidents/verifyAudit';
import { EXPORT_FORMATS, formatEvents, type ExportFormat } from '../cli/auditExport';
import type { ConsoleEnv } from './consoleSession';
import type { ConsoleDeps } from './consoleDeps';
import { layout, refusalBox } from './layout';
import { nameOf, whenIn } from './readable';

const EXPORT_TYPES: Record<ExportFormat, { type: string; ext: string }> = {
  json: { type: 'application/json', ext: 'json' },
  csv: { type: 'text/csv', ext: 'csv' },
  markdown: { type: 'text/markdown', ext: 'md' },
};

/** Audit: recent incidents; an incident's timeline from the store, its verification (chain, anchor, signature, Temporal's history) and its export. */
export function auditRoutes(deps: ConsoleDeps) {
  const app = new Hono<ConsoleEnv>();
  const tz = deps.calendar.timeZone;

  app.get('/', async (c) => {
    const { rows } = await deps.pool.query(
      'SELECT incident_id, title, severity, phase, opened_at FROM incidents ORDER BY opened_at DESC LIMIT 50',
    );
    return layout(c, {
      title: 'Audit',
      signedIn: c.get('signedIn'),
      current: '/console/audit',
      body: html`<p>The audit trail of each incident, as the audit store keeps it. The 50 most recent:</p>
        <ul>
          ${rows.map(
            (r) =>
              html`<li>
                <a href="/console/audit/${r.incident_id}">${r.incident_id}</a> · ${r.title} (${r.severity}, ${r.phase},
                ${whenIn(tz, r.opened_at)})
              </li>`,
          )}
        </ul>`,
    });
  });

  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const who = c.get('signedIn');
    try {
      if (!isIncidentId(id)) throw new IncidentRefError(`'${id}' is not an incident id (INC-<yyyymmdd>-<12 hex>)`);
      await findIncident(deps.pool, id);
    } catch (err) {
      if (!(err instanceof IncidentRefError)) throw err;
      return layout(c, { title: 'Incident not found', signedIn: who, status: 404, body: refusalBox(err.message) });
    }
    const [events, verdict] = await Promise.all([
      readIncidentEvents(deps.pool, id),
      verifyIncidentAudit(deps.pool, id, deps.client, deps.secretKeys),
    ]);
    const { roster } = deps.roster();
    const body = html`<p><a href="/console/incidents/${id}">The incident</a></p>
      <section aria-labelledby="h-verify">
        <h2 id="h-verify">Verification</h2>
        ${
          verdict.problems.length
            ? html`<div class="refusal" role="alert">
                <strong>The audit trail is not whole:</strong>
                <ul>
                  ${verdict.problems.map((p) => html`<li>${p}</li>`)}
                </ul>
              </div>`
            : html`<p class="notice" id="verdict">Verified: ${verdict.events} events, the hash chain whole.</p>`
        }
        <p class="muted">
          Checked against: the hash chain${verdict.checkedAgainst.length ? `, ${verdict.checkedAgainst.join(', ')}` : ''}.
        </p>
      </section>
      <section aria-labelledby="h-export" class="no-print">
        <h2 id="h-export">Export</h2>
        <ul class="meta">
          ${EXPORT_FORMATS.map((f) => html`<li><a href="/console/audit/${id}/export?format=${f}" download>${f.toUpperCase()}</a></li>`)}
        </ul>
      </section>
      <section aria-labelledby="h-events">
        <h2 id="h-events">Timeline</h2>
        <ol>
          ${events.map(
            (e) =>
              html`<li>
                ${whenIn(tz, e.occurredAt)} <strong>${e.kind}</strong>${e.actor ? html` by ${nameOf(roster, e.actor)}` : ''}
                ${
                  Object.keys(e.data ?? {}).length
                    ? html`<details>
                        <summary>Details</summary>
                        <pre>${JSON.stringify(e.data, null, 2)}</pre>
                      </details>`
                    : ''
                }
              </li>`,
          )}
        </ol>
      </section>`;
    return layout(c, { title: `Audit of ${id}`, signedIn: who, current: '/console/audit', body });
  });

  app.get('/:id/export', async (c) => {
    const id = c.req.param('id');
    const format = (EXPORT_FORMATS as string[]).includes(c.req.query('format') ?? '') ? (c.req.query('format') as ExportFormat) : 'json';
    if (!isIncidentId(id)) return c.text(`'${id}' is not an incident id`, 404);
    const events = await readIncidentEvents(deps.pool, id);
    if (!events.length) return c.text(`no audit events of '${id}'`, 404);
    const { type, ext } = EXPORT_TYPES[format];
    deps.log.info({ person: c.get('signedIn').person.id, incidentId: id, format }, 'console audit export');
    return c.body(formatEvents(events, format), 200, {
      'content-type': `${type}; charset=utf-8`,
      'content-disposition': `attachment; filename="${id}-audit.${ext}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });
  return app;
}
