import type { Pool } from 'pg';

/** The incident an integration's alert (by its dedup key) opened or reached last. */
export interface AlertKey {
  workflowId: string;
  firstRunId: string;
}

/** Points (integration, dedupKey) at the incident a trigger reached (upsert: a new incident on the key replaces the old). */
export async function recordAlertKey(pool: Pool, integration: string, dedupKey: string, key: AlertKey): Promise<void> {
  await pool.query(
    `INSERT INTO alert_keys (integration, dedup_key, workflow_id, first_run_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (integration, dedup_key) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, first_run_id = EXCLUDED.first_run_id, updated_at = now()`,
    [integration, dedupKey, key.workflowId, key.firstRunId],
  );
}

export async function findAlertKey(pool: Pool, integration: string, dedupKey: string): Promise<AlertKey | undefined> {
  const { rows } = await pool.query('SELECT workflow_id, first_run_id FROM alert_keys WHERE integration = $1 AND dedup_key = $2', [
    integration,
    dedupKey,
  ]);
  return rows.length ? { workflowId: rows[0].workflow_id, firstRunId: rows[0].first_run_id } : undefined;
}
