import type { Pool } from 'pg';
import { isIncidentId } from '../../workflows/incident/incidentId';

/**
 * The incident a reference names, from the audit store alone (an auditor needs no Temporal): an INC id it holds, or
 * a workflow id's latest incident; undefined when the store has none.
 */
export async function incidentIdOfRef(pool: Pool, ref: string): Promise<string | undefined> {
  if (ref.startsWith('incident/')) {
    const { rows } = await pool.query('SELECT incident_id FROM incidents WHERE workflow_id = $1 ORDER BY opened_at DESC LIMIT 1', [ref]);
    return rows[0]?.incident_id;
  }
  if (!isIncidentId(ref)) return undefined;
  const { rows } = await pool.query('SELECT incident_id FROM incidents WHERE incident_id = $1', [ref]);
  return rows[0]?.incident_id;
}
