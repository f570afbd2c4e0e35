import type { Pool } from 'pg';

/** A runbook (incident type) and its latest drill: overdue when it had none within the configured days. */
export interface RunbookDrillRow {
  type: string;
  lastDrillAt: string | null;
  lastDrillIncidentId: string | null;
  drillsInPeriod: number;
  overdue: boolean;
}

/** One person's acknowledgements of drills in the period: how many, and how long they took. */
export interface DrillAckRow {
  person: string;
  drills: number;
  averageSeconds: number;
  slowestSeconds: number;
  lastSeconds: number;
}

/**
 * Each runbook's last drill (migration 017's `drills` rows), and whether it is overdue: no drill in the last
 * `overdueDays`. Every type in `types` is listed, a runbook never drilled too (overdue, with no date).
 */
export async function runbookDrills(
  pool: Pool,
  types: readonly string[],
  overdueDays: number,
  sinceDays: number,
): Promise<RunbookDrillRow[]> {
  const { rows } = await pool.query(
    `SELECT t.type, d.incident_id, d.opened_at,
            (SELECT count(*) FROM drills x WHERE x.type = t.type AND x.opened_at >= now() - make_interval(days => $3))::int AS recent,
            (d.opened_at IS NULL OR d.opened_at < now() - make_interval(days => $2)) AS overdue
     FROM unnest($1::text[]) AS t(type)
     LEFT JOIN LATERAL (SELECT incident_id, opened_at FROM drills WHERE drills.type = t.type ORDER BY opened_at DESC LIMIT 1) d ON true
     ORDER BY t.type`,
    [types, overdueDays, sinceDays],
  );
  return rows.map((r) => ({
    type: r.type,
    lastDrillAt: r.opened_at ? (r.opened_at as Date).toISOString() : null,
    lastDrillIncidentId: r.incident_id ?? null,
    drillsInPeriod: r.recent,
    overdue: r.overdue,
  }));
}

/** Each person's time to acknowledge the drills they acknowledged in the last `sinceDays`, slowest average first. */
export async function drillAcknowledgements(pool: Pool, sinceDays: number): Promise<DrillAckRow[]> {
  const { rows } = await pool.query(
    `SELECT acknowledged_by AS person, count(*)::int AS drills, round(avg(ack_seconds))::int AS average,
            round(max(ack_seconds))::int AS slowest,
            round((array_agg(ack_seconds ORDER BY opened_at DESC))[1])::int AS last
     FROM drills WHERE acknowledged_by IS NOT NULL AND opened_at >= now() - make_interval(days => $1)
     GROUP BY acknowledged_by ORDER BY average DESC, person`,
    [sinceDays],
  );
  return rows.map((r) => ({
    person: r.person,
    drills: r.drills,
    averageSeconds: r.average,
    slowestSeconds: r.slowest,
    lastSeconds: r.last,
  }));
}
