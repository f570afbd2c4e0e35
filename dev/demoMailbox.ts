import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

/** What the demo mailbox says of each mail it receives. */
export interface ReceivedPage {
  to: string[];
  subject: string;
  /** The mail's acknowledge link, if it carries one. */
  ack?: string;
  file: string;
}

const MAX_MAIL_BYTES = 1024 * 1024;

/**
 * npm start's stand-in for the on-call engineers' inboxes: a real SMTP server (the `smtp-server` package) on
 * loopback that keeps every mail dbops sends as an .eml file under `dir` (0600: its links act for a person) and
 * reports each, so the demo's pages can be read and acknowledged from their link. Demo only: it accepts any sender
 * and recipient, and listens on 127.0.0.1.
 */
export async function startDemoMailbox(dir: string, onMail: (mail: ReceivedPage) => void) {
  // Loaded here only: the demo's dependencies are not part of the production image.
  const [{ SMTPServer }, { simpleParser }] = await Promise.all([import('smtp-server'), import('mailparser')]);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MAIL_BYTES,
    logger: false,
    onData(stream: Readable, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address);
        const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${++count}-${to[0] ?? 'nobody'}.eml`);
        fs.writeFileSync(file, raw, { mode: 0o600 });
        callback();
        simpleParser(raw).then(
          (mail) => onMail({ to, subject: mail.subject ?? '', ack: /Acknowledge as [^:]+: (\S+)/.exec(mail.text ?? '')?.[1], file }),
          () => onMail({ to, subject: '(unreadable mail)', file }),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
