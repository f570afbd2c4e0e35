import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { logChannel, webhookChannel } from '../../activities/notify/channels';
import { emailChannel } from '../../activities/notify/emailChannel';
import { createOutbox, type DeadNotification } from '../../activities/notify/outbox';
import { readDeliveries } from '../../db/deliveries/readDeliveries';
import type { Contact } from '../../runbooks/plan';
import { quietLogger } from '../support/harness';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startSmtpServer } from '../support/smtpServer';
import { startWebhookReceiver } from '../support/webhookReceiver';

const dana: Contact = { id: 'dana', name: 'Dana Ortiz', role: 'database-lead', channels: { email: 'dana@test.invalid', slack: '@dana' } };
const oscar: Contact = { id: 'oscar', name: 'Oscar Kim', role: 'on-call-engineer', channels: { email: 'oscar@test.invalid' } };
const bea: Contact = { id: 'bea', name: 'Bea Novak', role: 'backup-engineer', channels: {} };

const page = (notificationId: string, recipients: Contact[]): NotificationRequest => ({
  notificationId,
  subjectId: notificationId.split(':')[0],
  kind: 'page',
  message: `[HIGH] Connection pool exhaustion on queue (${notificationId})`,
  recipients,
  occurredAt: new Date().toISOString(),
});

/** The outbox with a per-person channel (real e-mail to a real SMTP server) beside team channels, on a real PostgreSQL. */
describe('the outbox keeps one row per person for a per-person channel', () => {
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    [db, smtp, hook] = await Promise.all([createTestDatabase('perperson'), startSmtpServer(), startWebhookReceiver()]);
  });
  afterAll(async () => {
    await hook?.close();
    await smtp?.close();
    await db?.drop();
  });
  const email = () => emailChannel({ host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'dbops@test.invalid' }, undefined, 1500);

  it('mails each person with an address once, keeps team channels one row each, and a person’s dead mail is told to the rest', async () => {
    const deaths: DeadNotification[] = [];
    const outbox = createOutbox({
      pool: db.pool,
      channels: [logChannel(quietLogger), webhookChannel(hook.url), email()],
      policy: { maxAttempts: 2, backoff: { firstMs: 100, maxMs: 100 }, onDead: async (d) => void deaths.push(d) },
    });
    // oscar's mailbox refuses mail: his row fails and dies; dana's is delivered; bea has no address, so no row.
    smtp.state.refuse = (to) => to === oscar.channels.email;
    const id = 'INC-20261125-000000000001:page:1:dana,oscar,bea';
    const count = await outbox.send(page(id, [dana, oscar, bea]));
    expect(count).toEqual({ delivered: 3, pending: 1, dead: 0 });
    const rows = await db.pool.query(
      'SELECT notification_id, person, recipient, status FROM notification_outbox WHERE subject_id = $1 ORDER BY 1',
      ['INC-20261125-000000000001'],
    );
    expect(rows.rows).toEqual([
      { notification_id: `${id}@email:dana`, person: 'dana', recipient: 'dana', status: 'delivered' },
      { notification_id: `${id}@email:oscar`, person: 'oscar', recipient: 'oscar', status: 'pending' },
      { notification_id: `${id}@log`, person: null, recipient: 'dana,oscar,bea', status: 'delivered' },
      { notification_id: `${id}@webhook`, person: null, recipient: 'dana,oscar,bea', status: 'delivered' },
    ]);
    expect(smtp.state.mails.filter((m) => m.mail.headers.get('x-dbops-notification') === id).map((m) => m.to)).toEqual([
      ['dana@test.invalid'],
    ]);

    await new Promise((r) => setTimeout(r, 150));
    await outbox.flush();
    const deliveries = await readDeliveries(db.pool, 'INC-20261125-000000000001');
    const oscarMail = deliveries.find((d) => d.notificationId === id && d.person === 'oscar')!;
    expect(oscarMail).toMatchObject({
      channel: 'email',
      status: 'dead',
      attempts: 2,
      lastError: expect.stringMatching(/^email to oscar not sent: .*550/),
    });
    expect(deaths).toEqual([expect.objectContaining({ notificationId: id, channel: 'email', person: 'oscar', attempts: 2 })]);
    // The notice about oscar's mail went to the team channels (not by e-mail again) and names him.
    const notice = hook.state.requests.find((r) => r.kind === 'delivery-failed');
    expect(notice?.text).toContain(`via email to oscar after 2 attempts`);
    expect(deliveries.filter((d) => d.kind === 'delivery-failed' && d.channel === 'email')).toEqual([]);
    smtp.state.refuse = () => false;
  });

  it('a stalled SMTP relay holds only its own rows: the webhook page goes out at once', async () => {
    smtp.state.stallMs = 3000;
    const outbox = createOutbox({ pool: db.pool, channels: [webhookChannel(hook.url), email()], logger: quietLogger });
    const id = 'INC-20261125-000000000002:page:1:dana';
    const started = Date.now();
    const sending = outbox.send(page(id, [dana]));
    for (let i = 0; i < 100 && !hook.state.requests.some((r) => r.id === id); i++) await new Promise((r) => setTimeout(r, 20));
    const webhookAfter = Date.now() - started;
    expect(hook.state.requests.filter((r) => r.id === id)).toHaveLength(1);
    expect(webhookAfter).toBeLessThan(1000);
    // The mail gives up at its own timeout (1.5 s here), is left pending for a later attempt, and nothing else waited for it.
    expect(await sending).toEqual({ delivered: 1, pending: 1, dead: 0 });
    const mail = (await readDeliveries(db.pool, 'INC-20261125-000000000002')).find((d) => d.channel === 'email')!;
    expect(mail).toMatchObject({ person: 'dana', status: 'pending', lastError: 'email gave no answer within 1500 ms' });
    smtp.state.stallMs = 0;
  });
});
