import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../lib/config';
import { inertLine } from '../lib/inertText';
import type { Logger } from '../lib/logger';
import { startDemoMailbox } from './demoMailbox';

/**
 * npm start's demo pages: unless configured otherwise, pages carry signed ack links (a secret kept in
 * `<data dir>/link-secret`, 0600, so links in old mails keep working across restarts) and are mailed to a demo
 * mailbox under `<data dir>/mailbox`, which prints each mail's acknowledge link. Follow it in a browser to
 * acknowledge as that person. Sets `config.pageLinks` and `config.smtp` when unset; returns how to stop the mailbox.
 */
export async function demoPagesOut(config: Config, log: Logger): Promise<{ mailboxDir?: string; close: () => Promise<void> }> {
  if (!config.pageLinks) {
    const file = path.join(config.dataDir, 'link-secret');
    let secret = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
    if (secret.length < 32) {
      secret = randomBytes(32).toString('base64url');
      fs.writeFileSync(file, secret, { mode: 0o600 });
    }
    config.pageLinks = { secret, publicUrl: `http://127.0.0.1:${config.intakePort}`, ttlMs: config.pageLinkTtlMs };
  }
  if (config.smtp) return { close: async () => {} };
  const mailboxDir = path.join(config.dataDir, 'mailbox');
  const mailbox = await startDemoMailbox(mailboxDir, (mail) => {
    // Printed, not logged: this is the demo user reading the demo's inboxes on their own terminal (anything on
    // loopback may mail the demo mailbox, so what it says is printed inert).
    console.log(
      `demo mailbox: to ${inertLine(mail.to.join(', '))}: ${inertLine(mail.subject)}${mail.ack ? `\n  acknowledge: ${inertLine(mail.ack)}` : ''}`,
    );
  });
  config.smtp = {
    host: '127.0.0.1',
    port: mailbox.port,
    tls: 'none' as const,
    user: undefined,
    password: undefined,
    from: 'dbops demo <dbops@demo.invalid>',
    caFile: undefined,
  };
  log.info({ mailbox: mailboxDir }, 'demo pages are mailed to a local mailbox');
  return { mailboxDir, close: mailbox.close };
}
