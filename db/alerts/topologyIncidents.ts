import type { Pool } from 'pg';

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
  return (rowCount ?? 0) > 0;
}

/** Incidents of a role on these tiers opened since `since`, newest first. */
export async function topologyIncidents(
  pool: Pool,
  role: TopologyIncident['role'],
  tiers: string[],
  since: number,
): Promise<TopologyIncident[]> {
  const { rows } = await pool.query(
    `SELECT * FROM topology_incidents WHERE role = $1 AND tier = ANY($2::text[]) AND opened_at >= $3 ORDER BY opened_at DESC LIMIT 20`,
    [role, tiers, new Date(since)],
  );
  return rows.map((r) => ({
    workflowId: r.workflow_id,
    firstRunId: r.first_run_id,
    tier: r.tier,
    node: r.node,
    role: r.role,
    openedAt: (r.opened_at as Date).getTime(),
  }));
}

/** Forgets an incident that has closed (its Update was refused): it groups nothing any more. */
export async function forgetTopologyIncident(pool: Pool, workflowId: string, firstRunId: string): Promise<void> {
  await pool.query('DELETE FROM topology_incidents WHERE workflow_id = $1 AND first_run_id = $2', [workflowId, firstRunId]);
}
