import type { Pool } from 'pg';
import type { Logger } from '../../lib/logger';
import type { NotificationRequest } from '../contracts';

/** A way to reach people: the log always, a Slack-compatible webhook when configured. */
export interface NotificationChannel {
  name: string;
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

/** Posts Slack-compatible JSON ({ text }) to an incoming-webhook URL. */
export function webhookChannel(url: string, timeoutMs = 5000): NotificationChannel {
  return {
    name: 'webhook',
    async deliver(n) {
      const mentions = n.recipients.map((r) => r.channels.slack ?? r.name).join(' ');
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `${n.message}\n${mentions}`, dbops: { kind: n.kind, subject: n.subjectId, id: n.notificationId } }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}

const rowId = (n: NotificationRequest, channel: string) => `${n.notificationId}@${channel}`;

/**
 * Writes the notification to the outbox for every channel first, then delivers. A channel that fails leaves its
 * row pending (for flushOutbox) instead of failing the caller: a down webhook must not stall an escalation.
 */
export async function sendNotification(pool: Pool, channels: NotificationChannel[], n: NotificationRequest) {
  for (const channel of channels) {
    await pool.query(
      `INSERT INTO notification_outbox (notification_id, subject_id, kind, recipient, channel, message, payload)
       VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (notification_id) DO NOTHING`,
      [rowId(n, channel.name), n.subjectId, n.kind, n.recipients.map((r) => r.id).join(','), channel.name, n.message, JSON.stringify(n)],
    );
  }
  return flushOutbox(pool, channels, n.notificationId);
}

/** Delivers pending outbox rows (all of them, or one notification's); returns how many went out and how many wait. */
export async function flushOutbox(pool: Pool, channels: NotificationChannel[], notificationId?: string) {
  const { rows } = await pool.query<{ notification_id: string; channel: string; payload: NotificationRequest }>(
    `SELECT notification_id, channel, payload FROM notification_outbox
     WHERE status = 'pending' AND ($1::text IS NULL OR notification_id LIKE $1 || '@%') ORDER BY created_at LIMIT 200`,
    [notificationId ?? null],
  );
  let delivered = 0;
  let pending = 0;
  for (const row of rows) {
    const channel = channels.find((c) => c.name === row.channel);
    if (!channel) continue;
    try {
      await channel.deliver(row.payload);
      await pool.query(
        `UPDATE notification_outbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1 WHERE notification_id = $1`,
        [row.notification_id],
      );
      delivered++;
    } catch (err) {
      await pool.query(`UPDATE notification_outbox SET attempts = attempts + 1, last_error = $2 WHERE notification_id = $1`, [
        row.notification_id,
        (err as Error).message,
      ]);
      pending++;
    }
  }
  return { delivered, pending };
}
