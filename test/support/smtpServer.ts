import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { PageLinker } from '../../activities/notify/channels';
import { emailChannel } from '../../activities/notify/emailChannel';

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** Whether the session had been upgraded to TLS (STARTTLS) when the message was sent. */
  secure: boolean;
  mail: ParsedMail;
}

/**
 * A real SMTP server on loopback (the `smtp-server` package), accepting any sender: keeps every message it was
 * given, parsed. Plain, or offering STARTTLS with `tls`'s key and certificate. `stallMs` holds each message's final
 * reply (a slow relay); `commandStallMs` holds each reply to MAIL FROM and RCPT TO, before any message is given (a
 * relay that stalls, then goes on); `refuse` turns recipients away with 550.
 */
export async function startSmtpServer(o: { tls?: { key: string; cert: string } } = {}) {
  const state = { mails: [] as ReceivedMail[], stallMs: 0, commandStallMs: 0, refuse: (_to: string) => false };
  const stalled = (callback: () => void) => setTimeout(callback, state.commandStallMs);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: o.tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...(o.tls && { key: o.tls.key, cert: o.tls.cert }),
    logger: false,
    onMailFrom(_address, _session, callback) {
      stalled(() => callback());
    },
    onRcptTo(address, _session, callback) {
      stalled(() => {
        if (!state.refuse(address.address)) return callback();
        callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      });
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          state.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure, mail });
          setTimeout(() => callback(), state.stallMs);
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** dbops' e-mail channel to a test's SMTP server (plain, on loopback), giving each delivery 5 s. */
export const emailChannelTo = (smtp: { port: number }, links?: PageLinker) =>
  emailChannel({ host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'dbops <dbops@test.invalid>' }, links, 5000);
