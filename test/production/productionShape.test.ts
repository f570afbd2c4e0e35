/**
 * The production shape, for real: the Temporal server on PostgreSQL (built with Go once, cached), two dbops worker
 * processes on the prebuilt workflow bundle and two intake processes, as `npm run production-local` runs them. An
 * alert storm goes round-robin to both intakes while one worker is SIGKILLed and restarted by the supervisor.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { verifyIncidentAudit } from '../../client/incidents/verifyAudit';
import type { ProductionShape } from '../../dev/productionShape';
import { parseMetrics } from '../../lib/prometheus';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { startShapeInScratch } from '../support/productionShapeRun';
import { startWebhookReceiver } from '../support/webhookReceiver';

const ALERTS = 500;
const KEYS = 50;
const CONCURRENCY = 8;
/** Every request the test sends to an intake carries these (an authentication header goes here). */
const INTAKE_HEADERS = { 'content-type': 'application/json' };

let shape: ProductionShape;
let run: Awaited<ReturnType<typeof startShapeInScratch>> | undefined;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let pool: Pool;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  run = await startShapeInScratch({
    workers: 2,
    apis: 2,
    // 500 alerts in a burst from one integration: over the default rate limit, which is not what this test measures.
    env: { DBOPS_WEBHOOK_URL: receiver.url, LOG_LEVEL: 'info', DBOPS_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  shape = run.shape;
  pool = new Pool({ connectionString: shape.databaseUrl, max: 4 });
  connection = await Connection.connect({ address: shape.temporal.address });
  client = new Client({ connection });
}, 15 * 60_000);

afterAll(async () => {
  await connection?.close();
  await pool?.end();
  await run?.close();
  await receiver?.close();
});

async function sendAlert(url: string, key: number): Promise<number> {
  const res = await fetch(`${url}/alerts`, {
    method: 'POST',
    headers: { ...INTAKE_HEADERS, authorization: `Bearer ${shape.intakeKey}` },
    body: JSON.stringify({ type: 'performance-degradation', tier: 'olap', fingerprint: `shape-${key}` }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 1000));
    value = await probe();
  }
  return value;
}

test(
  '500 alerts over 50 keys through two intakes, a worker killed mid-storm: 50 incidents, 500 counted, each page once (or again only when its worker died mid-delivery), chains whole, metrics agree',
  async () => {
    const victim = shape.workers[0]!;
    const victimPid = victim.pid();
    const statuses: number[] = [];
    let next = 0;
    const sender = async () => {
      while (next < ALERTS) {
        const i = next++;
        if (i === Math.floor(ALERTS / 3)) victim.kill('SIGKILL'); // a host dies mid-storm; the supervisor restarts it
        statuses.push(await sendAlert(shape.apis[i % shape.apis.length]!.url, i % KEYS));
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    const sentMs = Date.now() - started;
    expect(statuses.filter((s) => s === 202)).toHaveLength(ALERTS);

    // The killed worker came back as a new process and is ready again.
    await eventually(
      'worker restart',
      async () => victim.restarts(),
      (n) => n >= 1,
      30_000,
    );
    expect(victim.pid()).not.toBe(victimPid);
    await victim.ready();

    // 50 incidents, and every alert counted on its incident (the workflow's state is the count of record).
    const workflowIds = Array.from({ length: KEYS }, (_, k) => `incident/performance-degradation/olap/shape-${k}`);
    const counts = await eventually(
      'trigger counts',
      () =>
        Promise.all(
          workflowIds.map((id) =>
            client.workflow
              .getHandle(id)
              .query(incidentStateQuery)
              .then((s) => s.triggerCount),
          ),
        ),
      (c) => c.reduce((a, b) => a + b, 0) === ALERTS,
    );
    expect(counts.every((c) => c === ALERTS / KEYS)).toBe(true);
    // The audit store follows the workflows (an audit write never holds up a page): wait for its rows.
    const incidents = await eventually(
      'incident rows',
      async () => (await pool.query<{ incident_id: string }>(`SELECT incident_id FROM incidents`)).rows,
      (rows) => rows.length >= KEYS,
    );
    expect(incidents).toHaveLength(KEYS);

    // Every page delivered, each exactly once: one webhook request per page row, no more, none unknown.
    const pages = await eventually(
      'page delivery',
      async () =>
        (
          await pool.query<{ notification_id: string; subject_id: string; status: string }>(
            `SELECT payload->>'notificationId' AS notification_id, subject_id, status
             FROM notification_outbox WHERE kind = 'page' AND channel = 'webhook'`,
          )
        ).rows,
      (rows) => new Set(rows.map((r) => r.subject_id)).size === KEYS && rows.every((r) => r.status === 'delivered'),
    );
    // Delivery is at least once: a page the killed worker had in flight (its request sent, the answer never
    // recorded) is delivered again by a survivor, with the same Idempotency-Key. Every other page arrives once.
    const victimSender = `${os.hostname()}/${victimPid}`;
    const requestsOf = (id: string) => receiver.state.requests.filter((r) => r.id === id);
    let repeatedAfterKill = 0;
    for (const page of pages) {
      const got = requestsOf(page.notification_id);
      expect(got.length, page.notification_id).toBeGreaterThanOrEqual(1);
      expect(got.filter((r) => r.sender !== victimSender).length, `${page.notification_id}: survivors' deliveries`).toBeLessThanOrEqual(1);
      expect(got.filter((r) => r.sender === victimSender).length, `${page.notification_id}: the killed worker's`).toBeLessThanOrEqual(1);
      if (got.length > 1) repeatedAfterKill++;
    }
    const known = new Set(pages.map((p) => p.notification_id));
    expect(receiver.state.requests.filter((r) => r.kind === 'page' && !known.has(r.id))).toEqual([]);
    console.log(`pages: ${pages.length}, delivered again after the kill: ${repeatedAfterKill}`);

    // Every audit chain whole: hash links, the anchor on its row, and every audit write in Temporal's history.
    // Repeats are still being written as this runs, and a write landing between verify's reads looks like a cut
    // tail for a moment; a chain that is really broken stays broken, so the verdict must come clean within 60 s.
    const broken = await eventually(
      'audit verdicts',
      async () => {
        const verdicts = await Promise.all(incidents.map((i) => verifyIncidentAudit(pool, i.incident_id, client)));
        return verdicts.filter((v) => v.problems.length).map((v) => `${v.incidentId}: ${v.problems.join('; ')}`);
      },
      (problems) => problems.length === 0,
      60_000,
    );
    expect(broken).toEqual([]);

    // Each worker's /metrics (the restarted one too) agrees with the audit store; the intakes counted every alert.
    const delivered = (
      await pool.query<{ channel: string; n: string }>(
        `SELECT channel, count(*) AS n FROM notification_outbox WHERE kind = 'page' AND status = 'delivered' GROUP BY channel`,
      )
    ).rows;
    for (const worker of shape.workers) {
      const scrape = parseMetrics(await (await fetch(`${worker.url}/metrics`)).text());
      for (const { channel, n } of delivered) expect(scrape.get(`dbops_pages_sent_total{channel="${channel}"}`), channel).toBe(Number(n));
      expect(scrape.get('dbops_outbox_depth{channel="webhook"}') ?? 0).toBe(0);
      expect([...scrape.keys()].some((k) => k.startsWith('temporal_'))).toBe(true); // the SDK runtime's own
    }
    let accepted = 0;
    for (const api of shape.apis) {
      const scrape = parseMetrics(await (await fetch(`${api.url}/metrics`)).text());
      accepted += scrape.get('dbops_alerts_accepted_total{status="202"}') ?? 0;
    }
    expect(accepted).toBe(ALERTS);

    // Structured logs: every line a worker wrote inside an incident's activity names the incident.
    const lines = shape.workers
      .flatMap((w) => fs.readFileSync(w.logFile, 'utf8').split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { workflowId?: string; incidentId?: string; subject?: string; component?: string });
    const incidentLines = lines.filter((l) => l.component !== 'temporal-sdk' && l.workflowId?.startsWith('incident/'));
    expect(incidentLines.filter((l) => !l.incidentId)).toEqual([]);
    expect(incidentLines.length).toBeGreaterThan(0);
    // Every incident is in the workers' logs by its id (a page the outbox's flusher sent is logged with its subject).
    const named = new Set(lines.map((l) => l.incidentId ?? l.subject));
    expect(incidents.filter((i) => !named.has(i.incident_id))).toEqual([]);
    console.log(`production shape: ${ALERTS} alerts sent in ${sentMs} ms, ${pages.length} webhook pages, worker restarted once`);
  },
  10 * 60_000,
);
