import { createHmac } from 'node:crypto';
import type { Contact } from '../../runbooks/plan';
import { fetchFailure, SENDER, type NotificationChannel, type PageLinker } from './channels';

export const SIGNED_WEBHOOK_HEADERS = { timestamp: 'x-dbops-timestamp', signature: 'x-dbops-signature' } as const;

/**
 * The signature a receiver checks: HMAC-SHA256, keyed with the shared secret, over `<timestamp>.<raw body>`, sent as
 * `sha256=<hex>` beside the timestamp (Unix seconds). The same scheme as signed alerts into dbops.
 */
export function signWebhookBody(secret: string, timestamp: number | string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * Posts a notification as JSON, signed, so the receiver can trust it came from dbops: to the team's endpoint (one
 * request naming every recipient) or, with `perPerson`, to each recipient's own `channels.webhook` (one request,
 * and one outbox row, per person). Each recipient in the body carries their ack and open links.
 */
export function signedWebhookChannel(o: {
  name: string;
  secret: string;
  /** The team endpoint; absent: per person, to each recipient's channels.webhook. */
  url?: string;
  links?: PageLinker;
  timeoutMs?: number;
  now?: () => number;
}): NotificationChannel {
  const timeoutMs = o.timeoutMs ?? 5000;
  return {
    name: o.name,
    timeoutMs,
    ...(o.url ? {} : { reaches: (r: Contact) => Boolean(r.channels.webhook) }),
    async deliver(n, to) {
      const url = o.url ?? to?.channels.webhook;
      if (!url) throw new Error(`${o.name}: no webhook for ${to?.id ?? 'the team'}`);
      const recipients = (to ? [to] : n.recipients).map((r) => ({ id: r.id, name: r.name, role: r.role, links: o.links?.(n, r.id) }));
      const body = JSON.stringify({
        dbops: { id: n.notificationId, kind: n.kind, subject: n.subjectId, occurredAt: n.occurredAt, rosterVersion: n.rosterVersion },
        text: n.message,
        recipients,
      });
      const timestamp = Math.floor((o.now ?? Date.now)() / 1000);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': to ? `${n.notificationId}:${to.id}` : n.notificationId,
            'x-dbops-sender': SENDER,
            [SIGNED_WEBHOOK_HEADERS.timestamp]: String(timestamp),
            [SIGNED_WEBHOOK_HEADERS.signature]: signWebhookBody(o.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Error(`${o.name} unreachable${to ? ` for ${to.id}` : ''}: ${fetchFailure(err, timeoutMs)}`);
      }
      if (!res.ok) throw new Error(`${o.name}${to ? ` for ${to.id}` : ''} answered ${res.status}`);
    },
  };
}
