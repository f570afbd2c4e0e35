import type { Pool } from 'pg';

/**
 * The incident an integration's alert (by its dedup key) opened or reached last. `firstRunId` is a run of that
 * incident's chain: its first run, or (for an incident that had continued as new before the alert reached it) the run
 * the alert reached; the intake records the run its signal reached rather than ask the server which run began the
 * chain for every alert of a storm, and resolves the chain when an acknowledge or resolve needs it.
 */
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
