import type { Pool } from 'pg';
import { sharedRead } from '../../lib/sharedRead';

/** An incident the intake opened for a primary's outage or a replica's symptom (migration 015). */
export interface TopologyIncident {
  workflowId: string;
  firstRunId: string;
  tier: string;
  node: string;
  role: 'primary-outage' | 'replica-symptom';
  openedAt: number;
}

/** Records it; false when it was recorded already (a repeat of the same incident). */
export async function recordTopologyIncident(pool: Pool, i: TopologyIncident): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO topology_incidents (workflow_id, first_run_id, tier, node, role, opened_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING`,
    [i.workflowId, i.firstRunId, i.tier, i.node, i.role, new Date(i.openedAt)],
  );
  if (i.role === 'primary-outage') openOutages.invalidate();
  return (rowCount ?? 0) > 0;
}

const NEWEST_KEPT = 20;

/** Incidents of a role on these tiers opened since `since`, newest first (at most 20 a tier). */
export async function topologyIncidents(
  pool: Pool,
  role: TopologyIncident['role'],
  tiers: string[],
  since: number,
): Promise<TopologyIncident[]> {
  const rows =
    role === 'primary-outage'
      ? await openOutages.get(pool)
      : (
          await pool.query(
            `SELECT * FROM topology_incidents WHERE role = $1 AND tier = ANY($2::text[]) AND opened_at >= $3 ORDER BY opened_at DESC LIMIT ${NEWEST_KEPT}`,
            [role, tiers, new Date(since)],
          )
        ).rows.map(rowToIncident);
  return rows.filter((i) => tiers.includes(i.tier) && i.openedAt >= since).slice(0, NEWEST_KEPT);
}

/**
 * The outages the intake asks about for every symptom alert: the newest 20 of each tier, one read a second for
 * every caller (lib/sharedRead.ts); this process' records and forgets are seen at once, another's within a second.
 * A copy that names an outage closed meanwhile costs one refused Update, after which it is forgotten.
 */
const openOutages = sharedRead(1000, async (pool) => {
  const { rows } = await (pool as Pool).query(
    `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY tier ORDER BY opened_at DESC) AS newest
                      FROM topology_incidents WHERE role = 'primary-outage') t
      WHERE newest <= ${NEWEST_KEPT} ORDER BY opened_at DESC`,
  );
  return rows.map(rowToIncident);
});

const rowToIncident = (r: Record<string, unknown>): TopologyIncident => ({
  workflowId: r.workflow_id as string,
  firstRunId: r.first_run_id as string,
  tier: r.tier as string,
  node: r.node as string,
  role: r.role as TopologyIncident['role'],
  openedAt: (r.opened_at as Date).getTime(),
});

/** Forgets an incident that has closed (its Update was refused): it groups nothing any more. */
export async function forgetTopologyIncident(pool: Pool, workflowId: string, firstRunId: string): Promise<void> {
  await pool.query('DELETE FROM topology_incidents WHERE workflow_id = $1 AND first_run_id = $2', [workflowId, firstRunId]);
  openOutages.invalidate();
}
