import type { Pool } from 'pg';
import { TIER_DEFINITIONS } from '../runbooks/tiers';

/** Fills the monitoring tables with a healthy day of data, so the demo's checks have something real to read. */
export async function seedDemoData(pool: Pool): Promise<void> {
  for (const tier of Object.values(TIER_DEFINITIONS)) {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO connection_pool_config (tier, pool_name, min_connections, max_connections) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tier, pool_name) DO UPDATE SET min_connections = EXCLUDED.min_connections RETURNING id`,
      [tier.id, `${tier.id}-primary`, tier.pool.min, tier.pool.max],
    );
    const active = Math.round(tier.pool.max * 0.4);
    await pool.query(
      `INSERT INTO connection_pool_metrics (pool_config_id, active_connections, idle_connections, connection_usage_rate, pending_acquires)
       VALUES ($1, $2, $3, $4, 0)`,
      [rows[0].id, active, tier.pool.max - active, ((active / tier.pool.max) * 100).toFixed(2)],
    );
  }
  await pool.query(`INSERT INTO jobs (priority, status, created, completed)
    SELECT (ARRAY['critical','high','normal','low'])[1 + i % 4], 'completed', now() - interval '30 minutes', now() - interval '29 minutes'
    FROM generate_series(1, 20) i`);
  await pool.query(
    `INSERT INTO email_messages (created, content) SELECT now() - (i || ' days')::interval, repeat('x', 200) FROM generate_series(0, 5) i`,
  );
}
