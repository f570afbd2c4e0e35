import { BODY_SIGNATURE_HEADERS, signBody } from '../../lib/bodySignature';
import { inertLine } from '../../lib/inertText';
import type { Contact } from '../../runbooks/plan';
import { postJson, type NotificationChannel, type PageLinker } from './channels';
import { diagnosisJson } from './pageDiagnosisText';

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
    async deliver(n, to, signal) {
      const url = o.url ?? to?.channels.webhook;
      if (!url) throw new Error(`${o.name}: no webhook for ${to?.id ?? 'the team'}`);
      const recipients = (to ? [to] : n.recipients).map((r) => ({ id: r.id, name: r.name, role: r.role, links: o.links?.(n, r.id) }));
      const body = JSON.stringify({
        dbops: {
          id: n.notificationId,
          kind: n.kind,
          subject: n.subjectId,
          occurredAt: n.occurredAt,
          rosterVersion: n.rosterVersion,
          scheduleVersion: n.scheduleVersion,
          // A drill's notifications (docs/drills.md): a receiver may route them apart; `text` starts "[DRILL]".
          ...(n.drill && { drill: true }),
        },
        // People read `text` where the receiver shows it (a pager, a chat): one inert line, like a mail's.
        text: inertLine(n.message),
        recipients,
        // What is wrong and what to do (oncall-pages runs): severity, deadline, checks, who was paged, next step, gaps.
        ...(n.diagnosis && { diagnosis: diagnosisJson(n, n.diagnosis) }),
      });
      const timestamp = Math.floor((o.now ?? Date.now)() / 1000);
      const signature = {
        [BODY_SIGNATURE_HEADERS.timestamp]: String(timestamp),
        [BODY_SIGNATURE_HEADERS.signature]: signBody(o.secret, timestamp, body),
      };
      const idempotencyKey = to ? `${n.notificationId}:${to.id}` : n.notificationId;
      const what = to ? `${o.name} for ${to.id}` : o.name;
      await postJson(url, body, { 'idempotency-key': idempotencyKey, ...signature }, timeoutMs, what, signal);
    },
  };
}
