import fs from 'node:fs';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import type { Contact } from '../../runbooks/plan';
import type { NotificationRequest } from '../contracts';
import type { NotificationChannel, PageLinker } from './channels';
import { escapeHtml } from '../../lib/html';
import { htmlText, mailSubject, inertLine } from '../../lib/inertText';
import type { PersonLinks } from '../../lib/pageLinks';
import { diagnosisHtml, diagnosisSubject, diagnosisText } from './pageDiagnosisText';

export interface SmtpSettings {
  host: string;
  port: number;
  /** 'tls': implicit TLS (port 465); 'starttls': upgrade required; 'none': plain (a local relay, tests). */
  tls: 'tls' | 'starttls' | 'none';
  user?: string;
  password?: string;
  from: string;
  /** PEM certificates of a relay's own CA (SMTP_CA_FILE), trusted besides the system's; never 'accept any certificate'. */
  caFile?: string;
}

/**
 * E-mail over SMTP to each recipient's roster address, one message per person (its own outbox row), with that
 * person's ack and open links. A new connection per message: a relay that went away is noticed on the next page,
 * and a slow one holds only its own rows (the outbox delivers rows concurrently, each within `timeoutMs`).
 */
export function emailChannel(smtp: SmtpSettings, links?: PageLinker, timeoutMs = 15_000): NotificationChannel {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'tls',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    ...(smtp.caFile ? { tls: { ca: [...tls.rootCertificates, fs.readFileSync(smtp.caFile, 'utf8')] } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
  });
  return {
    name: 'email',
    timeoutMs,
    reaches: (r) => Boolean(r.channels.email),
    async deliver(n, to, signal) {
      if (!to?.channels.email) throw new Error(`email: no address for ${to?.id ?? 'a team delivery'}`);
      const mail = renderMail(n, to, links?.(n, to.id));
      try {
        await transport.sendMail({
          from: smtp.from,
          to: { name: to.name, address: to.channels.email },
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          // The same page retried keeps its Message-ID, so a mail system that has it already can drop the repeat.
          messageId: `<${n.notificationId.replace(/[^A-Za-z0-9._-]/g, '.')}.${to.id}@dbops>`,
          headers: { 'X-Dbops-Notification': n.notificationId, 'X-Dbops-Kind': n.kind, 'X-Dbops-Subject': n.subjectId },
          // Aborted (the outbox gave up), nodemailer closes the connection: a message whose data was not ended is not sent.
          signal,
        });
      } catch (err) {
        // Names the SMTP failure (code, reply, or the TLS refusal), never the credentials: nodemailer's messages carry
        // the relay's reply or the socket's error, not what was sent to log in.
        const e = err as { code?: string; responseCode?: number; message?: string };
        const code = [e.code, e.responseCode].filter(Boolean).join(' ');
        const why = (e.message ?? 'failed').split('\n')[0].slice(0, 200);
        throw new Error(`email to ${to.id} not sent: ${code ? `${code}: ${why}` : why}`);
      }
    },
  };
}

const TITLES: Partial<Record<NotificationRequest['kind'], string>> = {
  page: 'Page',
  escalation: 'Escalation',
  reminder: 'Reminder',
};

/**
 * The mail for one person. The message carries data (an alert's title, a relay's error), so every line of it is made
 * inert: no control character or bidi override in the subject or the text part, no CR or LF to start another header or
 * forge a line (an "Acknowledge as" line of its own), escaped and isolated in the HTML part. The links are dbops' own.
 */
export function renderMail(n: NotificationRequest, to: Contact, l?: PersonLinks) {
  // A page of an oncall-pages run says what is wrong and what to do (pageDiagnosisText.ts).
  if (n.diagnosis)
    return {
      subject: diagnosisSubject(n, n.diagnosis),
      text: diagnosisText(n, n.diagnosis, to, l),
      html: diagnosisHtml(n, n.diagnosis, to, l),
    };
  const subject = `[dbops] ${TITLES[n.kind] ?? n.kind}: ${mailSubject(n.message)}`;
  const name = inertLine(to.name);
  const linkText = l
    ? [
        '',
        `Acknowledge as ${name}: ${l.ack}`,
        `Open the incident: ${l.open}`,
        `(links for ${name} only, until ${l.expiresAt}; the acknowledge link works once and asks you to confirm)`,
      ]
    : [];
  const text = [`${name} (${to.role}),`, '', inertLine(n.message), ...linkText, '', `-- dbops ${n.kind} ${n.notificationId}`].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<p>${htmlText(to.name)} (${escapeHtml(to.role)}),</p>`,
    `<pre style="white-space:pre-wrap">${htmlText(n.message)}</pre>`,
    l
      ? `<p><a href="${escapeHtml(l.ack)}">Acknowledge as ${htmlText(to.name)}</a> · <a href="${escapeHtml(l.open)}">Open the incident</a></p>` +
        `<p><small>Links for ${htmlText(to.name)} only, until ${escapeHtml(l.expiresAt)}; the acknowledge link works once and asks you to confirm.</small></p>`
      : '',
    `<p><small>dbops ${escapeHtml(n.kind)} ${escapeHtml(n.notificationId)}</small></p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
