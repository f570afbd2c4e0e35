import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { emailChannel } from '../../activities/notify/emailChannel';
import { loadConfig } from '../../lib/config';
import type { Contact } from '../../runbooks/plan';
import { startSmtpServer } from '../support/smtpServer';
import { testCertificate } from '../support/testCertificate';

const oscar: Contact = { id: 'oscar', name: 'Oscar Kim', role: 'on-call-engineer', channels: { email: 'oscar@example.test' } };
const page: NotificationRequest = {
  notificationId: 'INC-20261125-0123456789ab:page:1:oscar',
  subjectId: 'INC-20261125-0123456789ab',
  kind: 'page',
  message: '[HIGH] Connection pool exhaustion on oltp — please acknowledge',
  recipients: [oscar],
  occurredAt: '2026-11-25T10:00:00.000Z',
};

/**
 * E-mail's TLS against real SMTP servers (the `smtp-server` package) with a certificate of a private CA, as an
 * internal relay has one: SMTP_TLS=starttls (the default) sends only over an upgraded session, trusting the relay's
 * CA given in SMTP_CA_FILE; without that CA, or from a relay that offers no STARTTLS, nothing is sent, and the
 * delivery's error says why.
 */
describe('e-mail over STARTTLS to a relay with a private CA', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-smtp-tls-'));
  let caFile = '';
  let tlsRelay: Awaited<ReturnType<typeof startSmtpServer>>;
  let plainRelay: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    const relay = testCertificate(dir, 'relay');
    caFile = relay.certFile;
    tlsRelay = await startSmtpServer({ tls: relay });
    plainRelay = await startSmtpServer();
  });
  afterAll(async () => {
    await tlsRelay?.close();
    await plainRelay?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const settings = (port: number, ca?: string) => ({
    host: '127.0.0.1',
    port,
    tls: 'starttls' as const,
    from: 'dbops <dbops@test.invalid>',
    caFile: ca,
  });

  it('is sent over the upgraded session when the relay’s CA is trusted (SMTP_CA_FILE)', async () => {
    await emailChannel(settings(tlsRelay.port, caFile)).deliver(page, oscar);
    const got = tlsRelay.state.mails.filter((m) => m.mail.headers.get('x-dbops-subject') === page.subjectId);
    expect(got.map((m) => ({ to: m.to, secure: m.secure }))).toEqual([{ to: ['oscar@example.test'], secure: true }]);
  });

  it('is not sent to a relay whose certificate it cannot verify, nor to one that offers no STARTTLS; the error says why', async () => {
    const before = tlsRelay.state.mails.length;
    await expect(emailChannel(settings(tlsRelay.port)).deliver(page, oscar)).rejects.toThrow(/^email to oscar not sent: .*certificate/);
    expect(tlsRelay.state.mails.length).toBe(before);
    await expect(emailChannel(settings(plainRelay.port, caFile)).deliver(page, oscar)).rejects.toThrow(
      /^email to oscar not sent: .*STARTTLS/i,
    );
    expect(plainRelay.state.mails).toEqual([]);
  });

  it('refuses an SMTP_CA_FILE that cannot be read, naming it', () => {
    const env = { SMTP_HOST: 'relay.example', SMTP_FROM: 'dbops <dbops@example.com>' };
    expect(loadConfig({ ...env, SMTP_CA_FILE: caFile }).smtp?.caFile).toBe(caFile);
    expect(() => loadConfig({ ...env, SMTP_CA_FILE: path.join(dir, 'missing.pem') })).toThrow(
      /SMTP_CA_FILE: '.*missing\.pem' is not a readable file/,
    );
  });
});
