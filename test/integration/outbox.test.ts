import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { logChannel, webhookChannel } from '../../activities/notify/channels';
import { createOutbox, type DeadNotification, type Outbox } from '../../activities/notify/outbox';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startWebhookReceiver } from '../support/webhookReceiver';

const dana = { id: 'dana', name: 'Dana Ortiz', role: 'database-lead', channels: { slack: '@dana' } } as const;

function page(notificationId: string, subjectId = 'INC-1'): NotificationRequest {
  return {
    notificationId,
    subjectId,
    kind: 'page',
    message: `[CRITICAL] Database Outage on oltp — please acknowledge (${notificationId})`,
    recipients: [dana],
    occurredAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A pino logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination: sink }), lines };
}

/** A worker's flusher: flushes every `everyMs` until stopped (the service does the same every 30 s). */
function flushLoop(outbox: Outbox, everyMs = 100) {
  let running = true;
  let delivered = 0;
  const done = (async () => {
    while (running) {
      delivered += (await outbox.flush()).delivered;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  /** Stops the loop; resolves to how many rows it delivered. */
  return async () => {
    running = false;
    await done;
    return delivered;
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusOf = async (pool: Pool, rowId: string) =>
  (await pool.query(`SELECT status, attempts, last_error, dead_reported_at FROM notification_outbox WHERE notification_id = $1`, [rowId]))
    .rows[0];

describe('notification outbox', () => {
  let db: TestDatabase;
  /** A second worker's connection pool on the same database. */
  let otherWorkerPool: Pool;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    otherWorkerPool = new Pool({ connectionString: db.url, max: 10 });
    // Connections ended by DROP DATABASE … WITH (FORCE) at the end are expected (as in dev/scratchDatabase.ts).
    otherWorkerPool.on('error', () => undefined);
    receiver = await startWebhookReceiver('/hook/T0/B0/SECRETPART');
  });
  afterAll(async () => {
    await receiver.close();
    await otherWorkerPool.end();
    await db.drop();
  });

  it('delivers each of 12 pages exactly once while two workers send and flush against a slow webhook', async () => {
    receiver.state.up = true;
    // Answers in 1, 2 or 3 s: longer than a flush interval, shorter than the channel's 5 s timeout.
    receiver.state.delayMs = (id) => 1000 + (Number(id.split(':').pop()) % 3) * 1000;
    const workers = [db.pool, otherWorkerPool].map((pool) => createOutbox({ pool, channels: [webhookChannel(receiver.url)] }));
    const stops = workers.map((w) => flushLoop(w));
    const ids = Array.from({ length: 12 }, (_, i) => `INC-1:race:${i}`);
    const sent = await Promise.all(ids.map((id, i) => workers[i % 2].send(page(id))));
    await waitUntil(
      async () => (await db.pool.query(`SELECT 1 FROM notification_outbox WHERE status <> 'delivered'`)).rowCount === 0,
      15_000,
      'every row delivered',
    );
    // A little longer than one more delivery would take, so a late duplicate would be seen.
    await new Promise((r) => setTimeout(r, 500));
    const flushed = await Promise.all(stops.map((stop) => stop()));

    const counts = receiver.countsById();
    const duplicated = ids.filter((id) => (counts.get(id) ?? 0) > 1);
    expect(duplicated, `pages sent more than once: ${duplicated.join(', ')}`).toEqual([]);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    // Each row was delivered by exactly one of the three paths: an immediate send or either worker's flusher.
    expect(sent.reduce((n, s) => n + s.delivered, 0) + flushed[0] + flushed[1]).toBe(12);
    expect(sent.reduce((n, s) => n + s.pending + s.dead, 0)).toBe(0);
  });

  it('backs off a failing webhook, marks the row dead after maxAttempts and tells the log channel and onDead', async () => {
    receiver.state.up = false;
    receiver.state.delayMs = () => 0;
    const { logger, lines } = capturingLogger();
    const deaths: DeadNotification[] = [];
    const outbox = createOutbox({
      pool: db.pool,
      channels: [logChannel(logger), webhookChannel(receiver.url)],
      logger,
      policy: {
        maxAttempts: 4,
        backoff: { firstMs: 200, maxMs: 500 },
        onDead: async (dead) => {
          deaths.push(dead);
        },
      },
    });
    const id = 'INC-2:page:1';
    expect(await outbox.send(page(id, 'INC-2'))).toEqual({ delivered: 1, pending: 1, dead: 0 });
    const stop = flushLoop(outbox, 20);
    await waitUntil(async () => (await statusOf(db.pool, `${id}@webhook`)).status === 'dead', 10_000, 'the row to die');
    // Flushing on past the end sends nothing more and reports nothing twice.
    await new Promise((r) => setTimeout(r, 700));
    await stop();

    const attempts = receiver.state.requests.filter((r) => r.id === id);
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i].at);
    // 200 ms, then 400 ms, then capped at 500 ms (a few ms of slack between the database's clock and ours).
    [200, 400, 500].forEach((wait, i) => expect(gaps[i]).toBeGreaterThanOrEqual(wait - 15));
    expect(await statusOf(db.pool, `${id}@webhook`)).toMatchObject({
      status: 'dead',
      attempts: 4,
      last_error: 'webhook answered 503',
      dead_reported_at: expect.any(Date),
    });

    const failures = lines.filter((l) => l.notificationId === id && l.level === 40);
    expect(failures.map((l) => [l.channel, l.attempt, l.error])).toEqual([1, 2, 3, 4].map((n) => ['webhook', n, 'webhook answered 503']));
    const notice = lines.filter((l) => l.notification === 'delivery-failed');
    expect(notice).toHaveLength(1);
    expect(notice[0].msg).toContain(`Could not deliver page ${id} via webhook after 4 attempts (webhook answered 503)`);
    expect(notice[0].to).toEqual(['Dana Ortiz (database-lead)']);
    // The notice went to the other channels only: the dead webhook was not asked again.
    expect(receiver.state.requests.filter((r) => r.kind === 'delivery-failed')).toEqual([]);
    expect(deaths).toEqual([
      {
        notificationId: id,
        subjectId: 'INC-2',
        kind: 'page',
        channel: 'webhook',
        recipients: ['dana'],
        attempts: 4,
        error: 'webhook answered 503',
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('SECRETPART');
  });

  it('delivers pending rows on the first flush after their backoff once the channel is back, once each across two workers', async () => {
    receiver.state.up = false;
    receiver.state.delayMs = () => 0;
    const policy = { backoff: { firstMs: 1000, maxMs: 60_000 } };
    const workers = [db.pool, otherWorkerPool].map((pool) => createOutbox({ pool, channels: [webhookChannel(receiver.url)], policy }));
    const ids = ['INC-3:page:1', 'INC-3:page:2', 'INC-3:page:3'];
    const sentAt = Date.now();
    for (const id of ids) expect(await workers[0].send(page(id, 'INC-3'))).toEqual({ delivered: 0, pending: 1, dead: 0 });

    receiver.state.up = true;
    // Still inside the backoff: nobody tries again yet.
    expect((await Promise.all(workers.map((w) => w.flush()))).map((c) => c.delivered)).toEqual([0, 0]);
    expect(receiver.state.requests.filter((r) => r.id.startsWith('INC-3')).map((r) => r.answered)).toEqual([503, 503, 503]);

    await new Promise((r) => setTimeout(r, Math.max(0, sentAt + 1100 - Date.now())));
    const flushed = await Promise.all(workers.map((w) => w.flush()));
    expect(flushed[0].delivered + flushed[1].delivered).toBe(3);
    const delivered = receiver.state.requests.filter((r) => r.id.startsWith('INC-3') && r.answered === 200);
    expect(delivered.map((r) => r.id).sort()).toEqual(ids);
    for (const id of ids) expect(await statusOf(db.pool, `${id}@webhook`)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('refuses a lease that a slow delivery could outlast, naming the setting', () => {
    expect(() => createOutbox({ pool: db.pool, channels: [webhookChannel(receiver.url, 8000)], policy: { leaseMs: 10_000 } })).toThrow(
      /outbox lease \(DBOPS_OUTBOX_LEASE_SECONDS\): 10 s must be longer than the slowest channel's delivery timeout \(8 s\)/,
    );
    expect(() => createOutbox({ pool: db.pool, channels: [], policy: { maxAttempts: 0 } })).toThrow(/outbox maxAttempts: 0/);
  });
});
