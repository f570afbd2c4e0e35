import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushOutbox, sendNotification, webhookChannel } from '../../activities/notify/notifier';
import type { NotificationRequest } from '../../activities/contracts';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** A real Slack-style webhook receiver on loopback that can be switched down. */
async function startReceiver() {
  const state = { up: false, received: [] as unknown[] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (!state.up) {
        res.writeHead(503).end();
        return;
      }
      state.received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const page: NotificationRequest = {
  notificationId: 'INC-1:page:1',
  subjectId: 'INC-1',
  kind: 'page',
  message: '[CRITICAL] Database Outage on oltp — please acknowledge',
  recipients: [{ id: 'dana', name: 'Dana Ortiz', role: 'database-lead', channels: { slack: '@dana' } }],
  occurredAt: '2026-01-01T00:00:00.000Z',
};

describe('notifier', () => {
  let db: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    db = await createTestDatabase('notify');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await db.drop();
  });

  it('keeps a page in the outbox while the webhook is down, and delivers it once when it is back', async () => {
    const channels = [webhookChannel(receiver.url)];
    expect(await sendNotification(db.pool, channels, page)).toEqual({ delivered: 0, pending: 1 });
    // A retried activity writes nothing new and sends nothing twice.
    await sendNotification(db.pool, channels, page);
    const pending = await db.pool.query(`SELECT status, attempts, last_error FROM notification_outbox WHERE notification_id = $1`, [
      `${page.notificationId}@webhook`,
    ]);
    expect(pending.rows[0]).toMatchObject({ status: 'pending', attempts: 2, last_error: 'webhook answered 503' });

    receiver.state.up = true;
    expect(await flushOutbox(db.pool, channels)).toEqual({ delivered: 1, pending: 0 });
    expect(await flushOutbox(db.pool, channels)).toEqual({ delivered: 0, pending: 0 });
    expect(receiver.state.received).toHaveLength(1);
    expect(receiver.state.received[0]).toMatchObject({
      text: expect.stringContaining('please acknowledge\n@dana'),
      dbops: { kind: 'page', subject: 'INC-1' },
    });
  });
});

describe('logging', () => {
  it('never writes passwords, connection strings or tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info', destination: sink });
    log.info(
      {
        databaseUrl: 'postgres://app:hunter2@db/x',
        config: { password: 'hunter2', webhookUrl: 'https://hooks.example/T0/SECRET' },
        headers: { authorization: 'Bearer abc' },
      },
      'starting',
    );
    expect(lines.join('')).not.toMatch(/hunter2|SECRET|Bearer abc/);
    expect(lines.join('')).toContain('[redacted]');
  });
});
