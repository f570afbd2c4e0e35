import type { Pool } from 'pg';
import type { MetricFamily } from '../../lib/prometheus';

/**
 * dbops' own metrics, read from the audit store at scrape time: the store is the record of what was paged, so every
 * worker's scrape agrees with it and with each other, and a worker that restarts loses no count.
 */
export async function readStoreMetrics(pool: Pool): Promise<MetricFamily[]> {
  const [outbox, slaMisses, lag] = await Promise.all([
    pool.query<{ channel: string; status: string; n: string }>(
      `SELECT channel, status, count(*) AS n FROM notification_outbox WHERE kind = 'page' GROUP BY channel, status`,
    ),
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM incident_events WHERE kind = 'response-sla-missed'`),
    // How far the audit trail runs behind the incidents: recorded_at − occurred_at of the last minute's events.
    pool.query<{ max: number | null }>(
      `SELECT extract(epoch FROM max(recorded_at - occurred_at))::float8 AS max
         FROM incident_events WHERE recorded_at > now() - interval '1 minute'`,
    ),
  ]);
  const pages = (status: string) =>
    outbox.rows.filter((r) => r.status === status).map((r) => ({ labels: { channel: r.channel }, value: Number(r.n) }));
  const depth = await pool.query<{ channel: string; n: string }>(
    `SELECT channel, count(*) AS n FROM notification_outbox WHERE status = 'pending' GROUP BY channel`,
  );
  return [
    { name: 'dbops_pages_sent_total', help: 'Pages delivered, per channel (audit store).', type: 'counter', samples: pages('delivered') },
    {
      name: 'dbops_pages_failed_total',
      help: 'Pages given up after the last attempt, per channel (audit store).',
      type: 'counter',
      samples: pages('dead'),
    },
    {
      name: 'dbops_sla_misses_total',
      help: 'Incidents whose response SLA passed unacknowledged (audit store).',
      type: 'counter',
      samples: [{ value: Number(slaMisses.rows[0]?.n ?? 0) }],
    },
    {
      name: 'dbops_audit_lag_seconds',
      help: 'Longest delay between an event and its audit write, over the last minute.',
      type: 'gauge',
      samples: [{ value: lag.rows[0]?.max ?? 0 }],
    },
    {
      name: 'dbops_outbox_depth',
      help: 'Notifications waiting in the outbox, per channel.',
      type: 'gauge',
      samples: depth.rows.map((r) => ({ labels: { channel: r.channel }, value: Number(r.n) })),
    },
  ];
}
