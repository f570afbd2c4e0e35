import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import { slaReport } from '../../db/reports/slaReport';
import type { ConsoleEnv } from './consoleSession';
import type { ConsoleDeps } from './consoleDeps';
import { layout, refusalBox } from './layout';
import { weeklyChartSvg } from './weeklyChart';
import { weeklyTrend } from './weeklyTrend';

const PERIODS = [7, 30, 90, 365];
const minutes = (m: number | null) => (m === null ? '–' : `${m} min`);

/** Reports: MTTA, MTTR and response-SLA breaches per type and severity over a chosen period, and the weekly trend as SVG; printable. */
export function reportRoutes(deps: ConsoleDeps) {
  const app = new Hono<ConsoleEnv>();
  app.get('/', async (c) => {
    const text = c.req.query('days') ?? '30';
    const days = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
    const who = c.get('signedIn');
    if (!(days >= 1 && days <= 3660))
      return layout(c, {
        title: 'Reports',
        signedIn: who,
        current: '/console/reports',
        status: 400,
        body: refusalBox(`days must be a whole number from 1 to 3660, not '${text.slice(0, 20)}'`),
      });
    const [rows, weeks] = await Promise.all([slaReport(deps.pool, days), weeklyTrend(deps.pool, days)]);
    const body = html`<form class="filters" method="get" action="/console/reports">
        <div>
          <label for="days">Period</label>
          <select id="days" name="days">
            ${PERIODS.map((p) => html`<option value="${p}" ${p === days ? 'selected' : ''}>last ${p} days</option>`)}
          </select>
        </div>
        <button type="submit" class="secondary">Show</button>
      </form>
      <p>Over the last ${days} days.</p>
      <h2>Per type and severity</h2>
      ${
        rows.length
          ? html`<div class="scroll" tabindex="0" role="region" aria-label="Figures per type and severity">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Incidents</th>
                    <th scope="col">Open</th>
                    <th scope="col">MTTA</th>
                    <th scope="col">MTTR</th>
                    <th scope="col">Breaches</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr>
                        <td>${r.type}</td>
                        <td>${r.severity}</td>
                        <td>${r.incidents}</td>
                        <td>${r.open}</td>
                        <td>${minutes(r.mttaMinutes)}</td>
                        <td>${minutes(r.mttrMinutes)}</td>
                        <td>${r.responseBreaches}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : html`<p class="muted">No incidents in this period.</p>`
      }
      <h2>Weekly trend</h2>
      <figure>${raw(weeklyChartSvg(weeks))}</figure>`;
    return layout(c, { title: 'Reports', signedIn: who, current: '/console/reports', body });
  });
  return app;
}
