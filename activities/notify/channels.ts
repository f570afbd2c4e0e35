import os from 'node:os';
import { slackText, inertLine } from '../../lib/inertText';
import type { Logger } from '../../lib/logger';
import type { PersonLinks } from '../../lib/pageLinks';
import type { Contact } from '../../runbooks/plan';
import type { NotificationRequest } from '../contracts';

/**
 * A way to reach people. A team channel (the log, the team's Slack-compatible webhook) takes a notification once
 * for all its recipients; a per-person channel (e-mail, a person's signed webhook) says which recipients it
 * `reaches`, and the outbox keeps one row per person reached and delivers each with `to` set.
 */
export interface NotificationChannel {
  name: string;
  /** How long one delivery may take; the outbox gives up on it after this and its claim lease is longer. */
  timeoutMs?: number;
  /** Per-person channels only: whether this recipient can be reached here (has an address for it). */
  reaches?(recipient: Contact): boolean;
  /** `signal` aborts the send when the outbox gives up on it (its timeout): what was abandoned must not go out late. */
  deliver(n: NotificationRequest, to?: Contact, signal?: AbortSignal): Promise<void>;
}

/** The signed ack and open links of a notification for one person (undefined: it carries none). */
export type PageLinker = (n: NotificationRequest, person: string) => PersonLinks | undefined;

export function logChannel(log: Logger): NotificationChannel {
  return {
    name: 'log',
    async deliver(n) {
      // Read on a terminal too (pino-pretty): the message as one inert line.
      log.warn({ notification: n.kind, subject: n.subjectId, to: n.recipients.map((r) => `${r.name} (${r.role})`) }, inertLine(n.message));
    },
  };
}

/** This process, as `host/pid`: the worker that delivered a notification. */
export const SENDER = `${os.hostname()}/${process.pid}`;

/**
 * Posts Slack-compatible JSON ({ text }) to the team's incoming-webhook URL, mentioning each recipient, with each
 * one's ack and open links when pages carry links (anyone who reads the channel can follow them: see the README).
 */
export function webhookChannel(url: string, timeoutMs = 5000, links?: PageLinker): NotificationChannel {
  return {
    name: 'webhook',
    timeoutMs,
    async deliver(n, _to, signal) {
      // Delivery is at least once (a worker killed mid-request may have its page sent again by another):
      // Idempotency-Key lets a receiver drop the repeat.
      await postJson(
        url,
        JSON.stringify({ text: slackMessage(n, links), dbops: { kind: n.kind, subject: n.subjectId, id: n.notificationId } }),
        { 'idempotency-key': n.notificationId },
        timeoutMs,
        'webhook',
        signal,
      );
    },
  };
}

/**
 * The team webhook's Slack-format text: the message (its alert title and the rest are data, escaped: no link, mention
 * or control of theirs acts), then the mentions and links dbops makes itself from the roster and the signed links.
 */
export function slackMessage(n: NotificationRequest, links?: PageLinker): string {
  // A roster's `slack` is the team's own mention (`<@U024BE7LH>`, or `@dana` with link_names), so it stays live; a name is text.
  const mention = (r: Contact) => r.channels.slack ?? slackText(r.name);
  const linkLines = n.recipients.flatMap((r) => {
    const l = links?.(n, r.id);
    return l ? [`${mention(r)}: <${l.ack}|acknowledge as ${slackText(r.name)}> · <${l.open}|open the incident>`] : [];
  });
  return [slackText(n.message), n.recipients.map(mention).join(' '), ...linkLines].join('\n');
}

/**
 * POSTs a JSON body naming the worker that sends it (x-dbops-sender). A failure says `<what> unreachable: <cause>`
 * or `<what> answered <status>`: it ends up in logs, the outbox and the incident's timeline, so it names the cause,
 * never the URL (a webhook's path is its secret).
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
) {
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dbops-sender': SENDER, ...headers },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    throw new Error(`${what} unreachable: ${signal?.aborted ? `no answer within ${timeoutMs} ms` : fetchFailure(err, timeoutMs)}`);
  }
  if (!res.ok) throw new Error(`${what} answered ${res.status}`);
}

function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.name ?? 'request failed';
}
