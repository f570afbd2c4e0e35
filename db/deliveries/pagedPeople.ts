import type { Pool } from 'pg';

/**
 * Who each incident's pages and escalations were sent to so far (roster ids), first paged first, from the notification outbox: a
 * per-person channel's row names its person, a team channel's row lists everyone its message named. One query
 * whatever the number of incidents, and no workflow asked: lists read it while workers are busy.
 */
export async function pagedPeople(pool: Pool, incidentIds: string[]): Promise<Map<string, string[]>> {
  const paged = new Map<string, string[]>();
  if (!incidentIds.length) return paged;
  // In the order they were first paged (the ladder's order; people of one rung, paged together, by id).
  const { rows } = await pool.query<{ subject_id: string; people: string[] }>(
    `SELECT subject_id, array_agg(who ORDER BY first_paged, who) AS people FROM (
       SELECT subject_id, who, min(created_at) AS first_paged FROM notification_outbox,
         unnest(CASE WHEN person IS NOT NULL THEN ARRAY[person] ELSE string_to_array(recipient, ',') END) AS who
       WHERE subject_id = ANY($1) AND kind IN ('page', 'escalation') AND who <> '' GROUP BY subject_id, who
     ) AS paged GROUP BY subject_id`,
    [incidentIds],
  );
  for (const r of rows) paged.set(r.subject_id, r.people);
  return paged;
}
