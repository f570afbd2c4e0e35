import type { Pool } from 'pg';
import { acknowledgerOfRow, nextDeadlineOfRow } from '../../db/audit/incidentRow';
import { pagedPeople } from '../../db/deliveries/pagedPeople';
import { SEVERITY_DEFINITIONS } from '../../runbooks/severities';
import type { IncidentPhase, IncidentTypeId, Severity, Tier } from '../../runbooks/types';
import type { NextDeadline } from '../../workflows/incident/nextDeadline';

export interface OpenIncidentFilters {
  type?: IncidentTypeId;
  tier?: Tier;
  severity?: Severity;
  phase?: Exclude<IncidentPhase, 'resolved'>;
}

export interface OpenIncidentRow {
  incidentId: string;
  title: string;
  type: string;
  severity: Severity;
  tier: string;
  phase: string;
  openedAt: Date;
  /** From 0, as stored; people read it from 1. */
  escalationLevel: number;
  acknowledgedBy?: string;
  /** What happens next unless someone acts: the response deadline, the next escalation, the snooze's end. */
  nextDeadline?: { at: Date; what: NextDeadline['what'] };
  /** Roster ids the incident's pages and escalations were sent to so far. */
  paged: string[];
  /** A drill (docs/drills.md): the card says DRILL. */
  drill: boolean;
}

/** How many rows the list shows; the rest are counted ("and N more: narrow the filters"). */
export const LIST_LIMIT = 100;

/**
 * Open incidents from the audit store's projection (one indexed row per incident, kept current by the workers),
 * newest first, with who their pages reached: three queries whatever the number open. An incident opened moments ago
 * appears once its opening is recorded (seconds; longer in a storm, when audit writes queue).
 */
export async function openIncidents(pool: Pool, f: OpenIncidentFilters): Promise<{ rows: OpenIncidentRow[]; total: number }> {
  const where = ["phase <> 'resolved'"];
  const params: unknown[] = [];
  for (const [column, value] of [
    ['type', f.type],
    ['tier', f.tier],
    ['severity', f.severity],
    ['phase', f.phase],
  ] as const) {
    if (!value) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  const filter = where.join(' AND ');
  const [listed, counted] = await Promise.all([
    pool.query(
      `SELECT incident_id, title, type, severity, tier, phase, opened_at, escalation_level, acknowledged_by, drill,
         next_deadline, next_deadline_at
       FROM incidents WHERE ${filter} ORDER BY opened_at DESC LIMIT ${LIST_LIMIT}`,
      params,
    ),
    pool.query(`SELECT count(*)::int AS n FROM incidents WHERE ${filter}`, params),
  ]);
  const paged = await pagedPeople(
    pool,
    listed.rows.map((r) => r.incident_id as string),
  );
  return {
    total: counted.rows[0].n,
    rows: listed.rows.map((r) => {
      const severity = r.severity as Severity;
      const openedAt: Date = r.opened_at;
      return {
        incidentId: r.incident_id,
        title: r.title,
        type: r.type,
        severity,
        tier: r.tier,
        phase: r.phase,
        openedAt,
        escalationLevel: r.escalation_level,
        acknowledgedBy: acknowledgerOfRow(r),
        nextDeadline: nextDeadlineOf(r, openedAt, severity),
        paged: paged.get(r.incident_id) ?? [],
        drill: r.drill === true,
      };
    }),
  };
}

/**
 * The next deadline the workflow wrote into the row with its last audit event (migration 018); for a row last written
 * before that, the response deadline its severity gives, while nobody has acknowledged.
 */
function nextDeadlineOf(
  r: { next_deadline: string | null; next_deadline_at: Date | null; acknowledged_by: string | null },
  openedAt: Date,
  severity: Severity,
): OpenIncidentRow['nextDeadline'] {
  const stored = nextDeadlineOfRow(r);
  if (stored) return { at: new Date(stored.at), what: stored.what };
  if (stored === null || r.acknowledged_by) return undefined;
  return { at: new Date(openedAt.getTime() + (SEVERITY_DEFINITIONS[severity]?.responseMinutes ?? 0) * 60_000), what: 'response due' };
}
