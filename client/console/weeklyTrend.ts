import type { Pool } from 'pg';
import type { WeekFigures } from './weeklyChart';

/** Incidents, response-SLA breaches and MTTA per week (weeks from Monday, UTC) over the last `days`, oldest first; empty weeks included; drills left out. */
export async function weeklyTrend(pool: Pool, days: number): Promise<WeekFigures[]> {
  const { rows } = await pool.query(
    `WITH weeks AS (
       SELECT generate_series(date_trunc('week', now() - make_interval(days => $1)), date_trunc('week', now()), interval '1 week') AS week
     )
     SELECT to_char(w.week, 'YYYY-MM-DD') AS week, count(i.incident_id)::int AS incidents,
            count(i.incident_id) FILTER (WHERE i.incident_id IN
              (SELECT e.incident_id FROM incident_events e WHERE e.kind = 'response-sla-missed'))::int AS breaches,
            round((avg(extract(epoch FROM i.acknowledged_at - i.opened_at) / 60)
                   FILTER (WHERE i.acknowledged_at IS DISTINCT FROM i.resolved_at))::numeric, 1)::float AS mtta
     FROM weeks w LEFT JOIN incidents i
       ON date_trunc('week', i.opened_at) = w.week AND i.opened_at >= now() - make_interval(days => $1) AND NOT i.drill
     GROUP BY w.week ORDER BY w.week`,
    [days],
  );
  return rows.map((r) => ({ week: r.week, incidents: r.incidents, breaches: r.breaches, mttaMinutes: r.mtta }));
}
