import { createApiApp } from '../client/api/app';
import { SESSION_COOKIE } from '../client/console/consoleSession';
import { createSession } from '../db/console/sessions';
import { createLogger } from '../lib/logger';
import type { RosterInForce } from '../lib/rosterInForce';
import { openIncident } from '../client/incidents/openIncident';
import { incidentStateQuery } from '../workflows/incident/messages';
import { calendar, roster, uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import type { BenchResult } from './report';
import { ms, percentile, timed } from './stats';

const OPEN = 5_000;
const SAMPLES = 20;
const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const TYPES = ['database-outage', 'connection-pool-exhaustion', 'data-integrity', 'performance-degradation', 'security-breach'];
const TIERS = ['oltp', 'content', 'queue', 'olap'];

/**
 * 5,000 open incidents as the audit store holds them (the rows the workers keep current, each with two pages in the
 * outbox): the open-incidents page reads the store only, so these are what it works through whatever made them.
 */
async function seedOpenIncidents(ctx: BenchContext, n: number) {
  const prefix = Date.now().toString(16).slice(-6);
  await ctx.db.pool.query(
    `INSERT INTO incidents (incident_id, workflow_id, type, severity, tier, fingerprint, title, phase, runbook_version, opened_at, escalation_level)
     SELECT 'INC-20261206-' || $1 || lpad(to_hex(g), 6, '0'), 'incident/bench/' || g, ($2::text[])[1 + g % 5], ($3::text[])[1 + g % 4],
            ($4::text[])[1 + g % 4], 'bench-' || g, 'Bench incident ' || g, 'triggered', 'bench', now() - make_interval(secs => g), g % 3
     FROM generate_series(1, $5) g`,
    [prefix, TYPES, SEVERITIES, TIERS, n],
  );
  await ctx.db.pool.query(
    `INSERT INTO notification_outbox (notification_id, subject_id, kind, recipient, channel, message, person, status)
     SELECT 'bench-' || i.incident_id || '-' || p, i.incident_id, 'page', p, 'email', 'bench', p, 'delivered'
     FROM incidents i, unnest(ARRAY['oscar', 'dana']) p WHERE i.runbook_version = 'bench'`,
  );
}

/**
 * `console_incidents_5000_ms` and `console_incident_ms`: server time of the console's open-incidents page with 5,000
 * open, and of one incident's page (a live incident on the dev server: its state by query, its deliveries from the
 * store), each the median of 20 requests through the API app in process (no network), signed in.
 */
export async function consolePages(ctx: BenchContext): Promise<BenchResult> {
  await seedOpenIncidents(ctx, OPEN);
  const session = await devServerSession(ctx, `bench-console-${Date.now()}`);
  try {
    const inForce: RosterInForce = { roster, version: 'bench' };
    const app = createApiApp(
      { client: session.client, taskQueue: session.taskQueue, calendar, pool: ctx.db.pool, roster: () => inForce, rateLimitPerMinute: 1e6 },
      createLogger({ level: 'silent' }),
    );
    const { secret } = await createSession(ctx.db.pool, 'dana', 'token');
    const get = async (path: string) => {
      const res = await app.request(path, { headers: { cookie: `${SESSION_COOKIE}=${secret}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${body.slice(0, 200)}`);
      return body;
    };
    const { handle } = await openIncident(
      { client: session.client, taskQueue: session.taskQueue, roster, calendar },
      { type: 'connection-pool-exhaustion', tier: 'oltp', severity: 'high', fingerprint: uniqueFingerprint('console') },
    );
    const { incidentId } = await handle.query(incidentStateQuery);
    // Its page reads the store's row: wait for the opening to be recorded.
    for (let i = 0; i < 200; i++) {
      if ((await ctx.db.pool.query('SELECT 1 FROM incidents WHERE incident_id = $1', [incidentId])).rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sample = async (path: string) => {
      await get(path); // warm: the first request loads the modules a page needs
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) times.push((await timed(() => get(path))).ms);
      return times;
    };
    const list = await sample('/');
    const one = await sample(`/console/incidents/${incidentId}`);
    const listHtml = await get('/');
    if (!listHtml.includes(`${OPEN + 1} open`)) throw new Error(`the list did not count ${OPEN + 1} open incidents`);
    await handle.terminate('benchmark done');
    return {
      name: 'console pages',
      setting: `in-process API app, signed in; ${OPEN.toLocaleString('en-US')} open incidents in the store (+1 live on the dev server)`,
      figures: [
        [
          `open incidents page at ${OPEN.toLocaleString('en-US')} open, p50 / p95 (goal < 300 ms)`,
          `${ms(percentile(list, 50))} / ${ms(percentile(list, 95))}`,
        ],
        ['one incident’s page, p50 / p95 (goal < 300 ms)', `${ms(percentile(one, 50))} / ${ms(percentile(one, 95))}`],
      ],
      notes: ['the list shows the newest 100 and counts the rest (three queries whatever the number open)'],
      metrics: { [`console_incidents_${OPEN}_ms`]: percentile(list, 50), console_incident_ms: percentile(one, 50) },
    };
  } finally {
    await session.close();
  }
}
