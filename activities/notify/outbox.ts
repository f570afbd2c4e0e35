import type { Pool } from 'pg';
import type { Logger } from '../../lib/logger';
import type { Contact } from '../../runbooks/plan';
import type { NotificationRequest } from '../contracts';
import type { NotificationChannel } from './channels';

/** A notification the outbox gave up on: what the responders and the incident's timeline are told. */
export interface DeadNotification {
  /** The request's id (one per notification, not per channel). */
  notificationId: string;
  subjectId: string;
  kind: NotificationRequest['kind'];
  channel: string;
  /** The person of a per-person channel's row; absent for a team channel. */
  person?: string;
  /** Roster ids. */
  recipients: string[];
  attempts: number;
  error: string;
}

export interface OutboxPolicy {
  /** A row that failed this many times is 'dead' and reported. */
  maxAttempts: number;
  /** The wait before attempt k+1 is firstMs · 2^(k-1), at most maxMs. */
  backoff: { firstMs: number; maxMs: number };
  /** How long a claim holds a row; must be longer than the slowest channel's delivery timeout. */
  leaseMs: number;
  /** Rows claimed (and delivered concurrently) at a time. */
  batchSize: number;
  /** Called once per dead row, after the other channels were told; a throw retries it on the next flush. */
  onDead?: (dead: DeadNotification) => Promise<void>;
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  maxAttempts: 8,
  backoff: { firstMs: 15_000, maxMs: 15 * 60_000 },
  leaseMs: 60_000,
  batchSize: 20,
};

/** A channel that names no timeout of its own gets this one. */
const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
/** Time a claim must leave, after the delivery timed out, for recording the outcome. */
const LEASE_MARGIN_MS = 5_000;

export interface DeliveryCount {
  delivered: number;
  /** Failed now, tried again after their backoff. */
  pending: number;
  dead: number;
}

interface ClaimedRow {
  notification_id: string;
  channel: string;
  person: string | null;
  attempts: number;
  payload: NotificationRequest;
  last_error: string | null;
}

/** One delivery: a team channel once per notification, a per-person channel once per person it reaches. */
interface Delivery {
  channel: NotificationChannel;
  to?: Contact;
}

/** `<notificationId>@<channel>` for a team channel, `<notificationId>@<channel>:<person>` for a per-person one. */
const rowId = (notificationId: string, d: Delivery) => `${notificationId}@${d.channel.name}${d.to ? `:${d.to.id}` : ''}`;

function deliveriesOf(n: NotificationRequest, channels: NotificationChannel[]): Delivery[] {
  return channels.flatMap((channel) =>
    channel.reaches ? n.recipients.filter((r) => channel.reaches!(r)).map((to) => ({ channel, to })) : [{ channel }],
  );
}
const timeoutOf = (c: NotificationChannel) => c.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;

export type Outbox = ReturnType<typeof createOutbox>;

/**
 * The notification outbox: every notification is written here for each channel, then delivered by whoever claims
 * its rows first (the immediate send or any worker's flush), so each row goes out once. A failed row waits out its
 * backoff; after maxAttempts it is dead, and the other channels and onDead (the incident's timeline) are told.
 */
export function createOutbox(o: { pool: Pool; channels: NotificationChannel[]; logger?: Logger; policy?: Partial<OutboxPolicy> }) {
  const policy = { ...DEFAULT_OUTBOX_POLICY, ...o.policy };
  validatePolicy(policy, o.channels);
  const { pool, channels, logger } = o;
  const byName = new Map(channels.map((c) => [c.name, c]));

  async function enqueue(n: NotificationRequest, deliveries: Delivery[]): Promise<string[]> {
    for (const d of deliveries) {
      await pool.query(
        `INSERT INTO notification_outbox (notification_id, subject_id, kind, recipient, channel, message, payload, person)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (notification_id) DO NOTHING`,
        [
          rowId(n.notificationId, d),
          n.subjectId,
          n.kind,
          d.to ? d.to.id : n.recipients.map((r) => r.id).join(','),
          d.channel.name,
          n.message,
          JSON.stringify(n),
          d.to?.id ?? null,
        ],
      );
    }
    return deliveries.map((d) => rowId(n.notificationId, d));
  }

  /** Claims due rows (of the given ids, or any) for this worker's channels; a row claimed elsewhere is skipped. */
  async function claimDue(ids: string[] | null, exclude: string[]): Promise<ClaimedRow[]> {
    const { rows } = await pool.query<ClaimedRow>(
      `UPDATE notification_outbox SET claimed_until = now() + $1::float8 * interval '1 millisecond'
       WHERE notification_id IN (
         SELECT notification_id FROM notification_outbox
         WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < now()) AND next_attempt_at <= now()
           AND channel = ANY($2) AND ($3::text[] IS NULL OR notification_id = ANY($3)) AND NOT (notification_id = ANY($4))
         ORDER BY next_attempt_at, created_at
         FOR UPDATE SKIP LOCKED
         LIMIT $5)
       RETURNING notification_id, channel, person, attempts, payload, last_error`,
      [policy.leaseMs, [...byName.keys()], ids, exclude, policy.batchSize],
    );
    return rows;
  }

  async function deliverClaimed(rows: ClaimedRow[]): Promise<DeliveryCount> {
    const count: DeliveryCount = { delivered: 0, pending: 0, dead: 0 };
    await Promise.all(
      rows.map(async (row) => {
        const channel = byName.get(row.channel)!;
        try {
          await deliverWithin(channel, (signal) => deliverRow(channel, row, signal));
        } catch (err) {
          count[await recordFailure(row, (err as Error).message ?? String(err))]++;
          return;
        }
        try {
          await pool.query(
            `UPDATE notification_outbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, claimed_until = NULL
             WHERE notification_id = $1`,
            [row.notification_id],
          );
        } catch (err) {
          // Sent, but the store went away before it could say so: neither the activity's retry nor a flush may send
          // it again. It is recorded as delivered once the store is back (recordSentWhileStoreDown).
          sentWhileStoreDown.set(row.notification_id, 'delivered; the store was unreachable when it was to be recorded');
          logger?.warn(
            { notificationId: row.payload.notificationId, channel: row.channel, storeError: (err as Error).message },
            'delivered, but the audit store could not record it; recorded when the store is back',
          );
        }
        count.delivered++;
      }),
    );
    return count;
  }

  async function recordFailure(row: ClaimedRow, error: string): Promise<'pending' | 'dead'> {
    const { rows } = await pool.query<{ status: 'pending' | 'dead'; attempts: number; next_attempt_at: Date }>(
      `UPDATE notification_outbox SET
         attempts = attempts + 1, last_error = $2, claimed_until = NULL,
         status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'pending' END,
         dead_at = CASE WHEN attempts + 1 >= $3 THEN now() END,
         next_attempt_at = now() + least($4::float8 * power(2, attempts), $5::float8) * interval '1 millisecond'
       WHERE notification_id = $1
       RETURNING status, attempts, next_attempt_at`,
      [row.notification_id, error, policy.maxAttempts, policy.backoff.firstMs, policy.backoff.maxMs],
    );
    const r = rows[0];
    logger?.warn(
      {
        notificationId: row.payload.notificationId,
        subject: row.payload.subjectId,
        channel: row.channel,
        ...(row.person ? { person: row.person } : {}),
        attempt: r.attempts,
        error,
        ...(r.status === 'pending' ? { nextAttemptAt: r.next_attempt_at.toISOString() } : {}),
      },
      r.status === 'dead' ? `notification not delivered after ${r.attempts} attempts; giving up` : 'notification not delivered; will retry',
    );
    return r.status;
  }

  /** Claims the due rows of `ids` (or all) until none is left, delivering each batch concurrently. */
  async function deliverDue(ids: string[] | null): Promise<DeliveryCount> {
    const total: DeliveryCount = { delivered: 0, pending: 0, dead: 0 };
    // Rows this worker already delivered straight to their channel are never claimed to be sent again.
    const tried: string[] = [...sentWhileStoreDown.keys()];
    for (;;) {
      const rows = await claimDue(ids, tried);
      const count = await deliverClaimed(rows);
      total.delivered += count.delivered;
      total.pending += count.pending;
      total.dead += count.dead;
      tried.push(...rows.map((r) => r.notification_id));
      if (rows.length < policy.batchSize) return total;
    }
  }

  /** Tells the responders on the other channels and onDead about dead rows nobody has reported yet. */
  async function reportDead(ids: string[] | null) {
    const { rows } = await pool.query<ClaimedRow>(
      `UPDATE notification_outbox SET claimed_until = now() + $1::float8 * interval '1 millisecond'
       WHERE notification_id IN (
         SELECT notification_id FROM notification_outbox
         WHERE status = 'dead' AND dead_reported_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
           AND ($2::text[] IS NULL OR notification_id = ANY($2))
         ORDER BY dead_at
         FOR UPDATE SKIP LOCKED
         LIMIT $3)
       RETURNING notification_id, channel, person, attempts, payload, last_error`,
      [policy.leaseMs, ids, policy.batchSize],
    );
    for (const row of rows) {
      const n = row.payload;
      const dead: DeadNotification = {
        notificationId: n.notificationId,
        subjectId: n.subjectId,
        kind: n.kind,
        channel: row.channel,
        ...(row.person ? { person: row.person } : {}),
        recipients: n.recipients.map((r) => r.id),
        attempts: row.attempts,
        error: row.last_error ?? 'unknown error',
      };
      logger?.error(
        { ...dead },
        `${n.kind} for ${n.subjectId} could not be delivered via ${row.channel}${row.person ? ` to ${row.person}` : ''}`,
      );
      try {
        // A notice about a dead notice is not sent again: two channels down must not page each other forever.
        if (n.kind !== 'delivery-failed') await send(deadNotice(dead, n), { except: row.channel });
        await policy.onDead?.(dead);
        await pool.query(`UPDATE notification_outbox SET dead_reported_at = now(), claimed_until = NULL WHERE notification_id = $1`, [
          row.notification_id,
        ]);
      } catch (err) {
        logger?.warn(
          { notificationId: n.notificationId, channel: row.channel, error: (err as Error).message },
          'could not report a dead notification; retrying on the next flush',
        );
        await pool.query(`UPDATE notification_outbox SET claimed_until = NULL WHERE notification_id = $1`, [row.notification_id]);
      }
    }
  }

  // Rows delivered while the store could not be written (straight to their channel, or claimed and sent just before
  // the store went away), by row id: recorded (not sent again) once it can. A worker that dies in between may send
  // such a page twice: a page twice beats a page late.
  const sentWhileStoreDown = new Map<string, string>();

  /**
   * Writes the notification to the outbox for every channel (but `except`), then delivers the rows it can claim.
   * Paging never waits for the store: when it cannot be written, each channel is tried directly, and the call
   * still fails, so the activity's retry records the delivery once the store is back.
   */
  async function send(n: NotificationRequest, options: { except?: string } = {}): Promise<DeliveryCount> {
    const to = deliveriesOf(
      n,
      channels.filter((c) => c.name !== options.except),
    );
    let ids: string[];
    try {
      ids = await enqueue(n, to);
    } catch (err) {
      await deliverWithoutStore(n, to, err as Error);
      throw err;
    }
    await recordSentWhileStoreDown(ids);
    const count = await deliverDue(ids);
    if (count.dead) await reportDead(ids);
    return count;
  }

  async function deliverWithoutStore(n: NotificationRequest, to: Delivery[], storeError: Error) {
    await Promise.all(
      to.map(async ({ channel, to: person }) => {
        const id = rowId(n.notificationId, { channel, to: person });
        // Taken before delivering: an attempt Temporal retried while this one still runs must not send again.
        if (sentWhileStoreDown.has(id)) return;
        sentWhileStoreDown.set(id, 'delivered directly while the store was unreachable');
        try {
          await deliverWithin(channel, (signal) => channel.deliver(n, person, signal));
          logger?.warn(
            { notificationId: n.notificationId, channel: channel.name, storeError: storeError.message },
            'audit store unreachable: delivered directly; the outbox records it when the store is back',
          );
        } catch (err) {
          sentWhileStoreDown.delete(id);
          logger?.warn(
            { notificationId: n.notificationId, channel: channel.name, error: (err as Error).message },
            'direct delivery failed',
          );
        }
      }),
    );
  }

  /**
   * Marks rows sent directly as delivered once they are in the store (one may have been written just before the
   * store went away, and is then found here rather than sent again).
   */
  async function recordSentWhileStoreDown(ids: string[]) {
    for (const id of ids.filter((x) => sentWhileStoreDown.has(x))) {
      const { rowCount } = await pool.query(
        `UPDATE notification_outbox SET status = 'delivered', delivered_at = now(), attempts = attempts + 1, claimed_until = NULL,
           last_error = $2 WHERE notification_id = $1 AND status = 'pending'`,
        [id, sentWhileStoreDown.get(id)],
      );
      const known = rowCount || (await pool.query('SELECT 1 FROM notification_outbox WHERE notification_id = $1', [id])).rowCount;
      if (known) sentWhileStoreDown.delete(id);
    }
  }

  return {
    send: (n: NotificationRequest) => send(n),
    /** Delivers every due row this worker has a channel for, then reports rows that died. */
    async flush(): Promise<DeliveryCount> {
      await recordSentWhileStoreDown([...sentWhileStoreDown.keys()]);
      const count = await deliverDue(null);
      await reportDead(null);
      return count;
    },
  };
}

/** A per-person row delivers to the recipient it names (kept in the payload the row was written with). */
function deliverRow(channel: NotificationChannel, row: ClaimedRow, signal: AbortSignal): Promise<void> {
  if (!row.person) return channel.deliver(row.payload, undefined, signal);
  const to = row.payload.recipients.find((r) => r.id === row.person);
  if (!to) return Promise.reject(new Error(`${row.channel}: recipient ${row.person} is not in the notification`));
  return channel.deliver(row.payload, to, signal);
}

function deadNotice(dead: DeadNotification, n: NotificationRequest): NotificationRequest {
  const where = dead.person ? `${dead.channel}:${dead.person}` : dead.channel;
  return {
    notificationId: `${dead.notificationId}:delivery-failed:${where}`,
    subjectId: dead.subjectId,
    kind: 'delivery-failed',
    message: `Could not deliver ${dead.kind} ${dead.notificationId} via ${dead.channel}${dead.person ? ` to ${dead.person}` : ''} after ${dead.attempts} attempts (${dead.error}): ${n.message}`,
    recipients: n.recipients,
    occurredAt: new Date().toISOString(),
  };
}

function validatePolicy(p: OutboxPolicy, channels: NotificationChannel[]) {
  if (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1)
    throw new Error(`outbox maxAttempts: ${p.maxAttempts} is not a whole number ≥ 1`);
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1) throw new Error(`outbox batchSize: ${p.batchSize} is not a whole number ≥ 1`);
  if (!(p.backoff.firstMs > 0 && p.backoff.maxMs >= p.backoff.firstMs))
    throw new Error(`outbox backoff: needs 0 < firstMs ≤ maxMs, got firstMs ${p.backoff.firstMs}, maxMs ${p.backoff.maxMs}`);
  const slowest = Math.max(0, ...channels.map(timeoutOf));
  if (!(p.leaseMs > slowest + LEASE_MARGIN_MS))
    throw new Error(
      `outbox lease (DBOPS_OUTBOX_LEASE_SECONDS): ${p.leaseMs / 1000} s must be longer than the slowest channel's delivery timeout (${slowest / 1000} s) plus ${LEASE_MARGIN_MS / 1000} s`,
    );
}

/**
 * One delivery within its channel's timeout. At the timeout its signal aborts the send (the SMTP connection is closed,
 * the HTTP request cancelled), so a delivery recorded as failed is not completed late and then sent again by the
 * retry; it is given up on then even if the channel ignores the signal.
 */
async function deliverWithin(channel: NotificationChannel, send: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const ms = timeoutOf(channel);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${channel.name} gave no answer within ${ms} ms`);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    await Promise.race([send(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
