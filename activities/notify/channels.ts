import os from 'node:os';
import type { Logger } from '../../lib/logger';
import type { NotificationRequest } from '../contracts';

/** A way to reach people: the log always, a Slack-compatible webhook when configured. */
export interface NotificationChannel {
  name: string;
  /** How long one delivery may take; the outbox gives up on it after this and its claim lease is longer. */
  timeoutMs?: number;
  deliver(n: NotificationRequest): Promise<void>;
}

export function logChannel(log: Logger): NotificationChannel {
  return {
    name: 'log',
    async deliver(n) {
      log.warn({ notification: n.kind, subject: n.subjectId, to: n.recipients.map((r) => `${r.name} (${r.role})`) }, n.message);
    },
  };
}

/** This process, as `host/pid`: the worker that delivered a notification. */
export const SENDER = `${os.hostname()}/${process.pid}`;

/** Posts Slack-compatible JSON ({ text }) to an incoming-webhook URL. */
export function webhookChannel(url: string, timeoutMs = 5000): NotificationChannel {
  return {
    name: 'webhook',
    timeoutMs,
    async deliver(n) {
      const mentions = n.recipients.map((r) => r.channels.slack ?? r.name).join(' ');
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          // Delivery is at least once (a worker killed mid-request may have its page sent again by another):
          // Idempotency-Key lets a receiver drop the repeat; the sender names which worker delivered.
          headers: { 'content-type': 'application/json', 'idempotency-key': n.notificationId, 'x-dbops-sender': SENDER },
          body: JSON.stringify({ text: `${n.message}\n${mentions}`, dbops: { kind: n.kind, subject: n.subjectId, id: n.notificationId } }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        // The error ends up in logs, the outbox and the incident's timeline: name the cause, never the URL (its path is the secret).
        throw new Error(`webhook unreachable: ${fetchFailure(err, timeoutMs)}`);
      }
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}

function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ?? e.name ?? 'request failed';
}
