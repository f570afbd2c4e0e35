import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { createOutbox } from '../../activities/notify/outbox';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { recordingChannel } from '../support/harness';
import { startTcpProxy } from '../support/tcpProxy';

const page = (id: string): NotificationRequest => ({
  notificationId: id,
  subjectId: 'INC-STORE-DOWN',
  kind: 'page',
  message: 'database down: please acknowledge',
  recipients: [{ id: 'dana', name: 'Dana', role: 'database-lead', channels: {} }],
  occurredAt: new Date().toISOString(),
});

/** Paging never waits for the audit store: a page goes out while the store is unreachable, and is recorded after. */
describe('the outbox while the audit store is unreachable', () => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase('store-down');
    const url = new URL(db.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    pool = new Pool({ connectionString: url.toString(), connectionTimeoutMillis: 1000 });
    pool.on('error', () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    proxy?.close();
    await db?.drop();
  });

  it('delivers the page at once, fails the call so it is retried, and records (not resends) it when the store is back', async () => {
    const channel = recordingChannel();
    const outbox = createOutbox({ pool, channels: [channel] });
    await proxy.down();
    await expect(outbox.send(page('INC-STORE-DOWN:page:1'))).rejects.toThrow();
    expect(channel.sent.map((n) => n.notificationId)).toEqual(['INC-STORE-DOWN:page:1']);
    // The activity's retry while the store is still down does not page again.
    await expect(outbox.send(page('INC-STORE-DOWN:page:1'))).rejects.toThrow();
    expect(channel.sent).toHaveLength(1);

    await proxy.up();
    expect(await outbox.send(page('INC-STORE-DOWN:page:1'))).toEqual({ delivered: 0, pending: 0, dead: 0 });
    expect(channel.sent).toHaveLength(1);
    const { rows } = await db.pool.query('SELECT status, attempts, last_error FROM notification_outbox WHERE subject_id = $1', [
      'INC-STORE-DOWN',
    ]);
    expect(rows).toEqual([{ status: 'delivered', attempts: 1, last_error: 'delivered directly while the store was unreachable' }]);
  });

  it('a page sent just before the store went away is not sent again by the retry, a flush or the store coming back', async () => {
    const recorder = recordingChannel();
    // The store goes away while the channel delivers: the page is out, its 'delivered' cannot be written.
    const channel = {
      ...recorder,
      async deliver(n: NotificationRequest) {
        await recorder.deliver(n);
        await proxy.down();
      },
    };
    const outbox = createOutbox({ pool, channels: [channel] });
    expect(await outbox.send(page('INC-STORE-DOWN:page:2'))).toEqual({ delivered: 1, pending: 0, dead: 0 });
    await expect(outbox.send(page('INC-STORE-DOWN:page:2'))).rejects.toThrow();
    await expect(outbox.flush()).rejects.toThrow();

    await proxy.up();
    await outbox.flush();
    expect(await outbox.send(page('INC-STORE-DOWN:page:2'))).toEqual({ delivered: 0, pending: 0, dead: 0 });
    expect(recorder.sent.map((n) => n.notificationId)).toEqual(['INC-STORE-DOWN:page:2']);
    const { rows } = await db.pool.query('SELECT status, attempts, claimed_until FROM notification_outbox WHERE notification_id LIKE $1', [
      'INC-STORE-DOWN:page:2@%',
    ]);
    expect(rows).toEqual([{ status: 'delivered', attempts: 1, claimed_until: null }]);
  });
});
