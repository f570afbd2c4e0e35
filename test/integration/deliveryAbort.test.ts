import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailChannel } from '../../activities/notify/emailChannel';
import { createOutbox } from '../../activities/notify/outbox';
import type { Contact } from '../../runbooks/plan';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { quietLogger } from '../support/harness';
import { startSmtpServer } from '../support/smtpServer';

const TIMEOUT_MS = 2000;
/** Each of MAIL FROM and RCPT TO is held this long: under the SMTP client's idle timeout, together past the channel's. */
const STALL_MS = 1300;

const dana: Contact = { id: 'dana', name: 'Dana Ortiz', role: 'database-lead', channels: { email: 'dana@test.invalid' } };

/**
 * A delivery the outbox gave up on (its channel's timeout) used to go on in the background: a relay that stalled,
 * then went on, received that mail late, and then the retry's as well. At the timeout the send is aborted (the SMTP
 * connection closed before the message is given), so the only mail that arrives is the retry's, once.
 */
describe('a delivery that timed out is aborted, never delivered late', () => {
  let db: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    [db, smtp] = await Promise.all([createTestDatabase('abort'), startSmtpServer()]);
  });
  afterAll(async () => {
    await smtp?.close();
    await db?.drop();
  });

  it('a relay that stalls past the e-mail timeout, then goes on, gets the page once: from the retry', async () => {
    const email = emailChannel({ host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'dbops@test.invalid' }, undefined, TIMEOUT_MS);
    const outbox = createOutbox({
      pool: db.pool,
      channels: [email],
      logger: quietLogger,
      policy: { backoff: { firstMs: 100, maxMs: 100 } },
    });
    const notificationId = 'INC-20261125-00000000abc1:page:1:dana';
    const mailsOf = () => smtp.state.mails.filter((m) => m.mail.headers.get('x-dbops-notification') === notificationId);

    smtp.state.commandStallMs = STALL_MS;
    const first = await outbox.send({
      notificationId,
      subjectId: 'INC-20261125-00000000abc1',
      kind: 'page',
      message: '[CRITICAL] Database outage on oltp',
      recipients: [dana],
      occurredAt: new Date().toISOString(),
    });
    expect(first).toEqual({ delivered: 0, pending: 1, dead: 0 });
    // The relay goes on: the abandoned send would now be given its replies and send its message.
    smtp.state.commandStallMs = 0;
    await new Promise((r) => setTimeout(r, 2 * STALL_MS));
    expect(mailsOf()).toHaveLength(0);

    await eventually(
      'the retry',
      () => outbox.flush(),
      (c) => c.delivered === 1,
    );
    await new Promise((r) => setTimeout(r, 2 * STALL_MS));
    expect(mailsOf().map((m) => m.to)).toEqual([['dana@test.invalid']]);
    const { rows } = await db.pool.query('SELECT status, attempts, last_error FROM notification_outbox');
    expect(rows).toEqual([{ status: 'delivered', attempts: 2, last_error: `email gave no answer within ${TIMEOUT_MS} ms` }]);
  });
});
