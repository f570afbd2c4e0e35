import type { Pool } from 'pg';
import type { Role } from '../../runbooks/types';

/** An open incident as a handoff notice names it. */
export interface HandedIncident {
  incidentId: string;
  title: string;
  severity: string;
  phase: string;
}

/** One person told at one handoff (migration 013). */
export interface HandoffNoticeRecord {
  notificationId: string;
  role: Role;
  handoffAt: string;
  person: string;
  direction: 'outgoing' | 'incoming';
  outgoing: string[];
  incoming: string[];
  incidents: HandedIncident[];
  rosterVersion: string;
  scheduleVersion: string;
  toldAt?: string;
}

/**
 * The open incidents a role answers for: not resolved, and whose ladder pages the role (`pagesRole`, given the type and
 * the ladder the incident froze when it opened, from its `opened` audit event). Oldest first, as the notice lists them.
 */
export async function openIncidentsFor(
  pool: Pool,
  pagesRole: (type: string, ladder: { roles: string[] }[] | undefined) => boolean,
): Promise<HandedIncident[]> {
  const { rows } = await pool.query<{
    incident_id: string;
    title: string;
    severity: string;
    phase: string;
    type: string;
    ladder: { roles: string[] }[] | null;
  }>(
    `SELECT i.incident_id, i.title, i.severity, i.phase, i.type,
            (SELECT e.data->'ladder' FROM incident_events e WHERE e.incident_id = i.incident_id AND e.kind = 'opened' LIMIT 1) AS ladder
     FROM incidents i WHERE i.phase <> 'resolved' ORDER BY i.opened_at, i.incident_id`,
  );
  return rows
    .filter((r) => pagesRole(r.type, Array.isArray(r.ladder) ? r.ladder : undefined))
    .map((r) => ({ incidentId: r.incident_id, title: r.title, severity: r.severity, phase: r.phase }));
}

/** Records a notice once: a repeat (a retried activity, a second worker) adds nothing. */
export async function recordHandoffNotice(pool: Pool, r: HandoffNoticeRecord): Promise<void> {
  await pool.query(
    `INSERT INTO oncall_handoff_notices (notification_id, role, handoff_at, person, direction, outgoing, incoming, incidents,
       roster_version, schedule_version)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (notification_id) DO NOTHING`,
    [
      r.notificationId,
      r.role,
      new Date(r.handoffAt),
      r.person,
      r.direction,
      r.outgoing,
      r.incoming,
      JSON.stringify(r.incidents),
      r.rosterVersion,
      r.scheduleVersion,
    ],
  );
}

/** The audit of handoff notices in [from, to), oldest first. */
export async function handoffNotices(pool: Pool, opts: { from?: number; to?: number; role?: Role } = {}): Promise<HandoffNoticeRecord[]> {
  const { rows } = await pool.query(
    `SELECT * FROM oncall_handoff_notices WHERE handoff_at >= $1 AND handoff_at < $2 AND ($3::text IS NULL OR role = $3)
     ORDER BY handoff_at, role, direction DESC, person`,
    [new Date(opts.from ?? 0), new Date(opts.to ?? 8.64e15), opts.role ?? null],
  );
  return rows.map((r) => ({
    notificationId: r.notification_id,
    role: r.role,
    handoffAt: (r.handoff_at as Date).toISOString(),
    person: r.person,
    direction: r.direction,
    outgoing: r.outgoing,
    incoming: r.incoming,
    incidents: r.incidents,
    rosterVersion: r.roster_version,
    scheduleVersion: r.schedule_version,
    toldAt: (r.told_at as Date).toISOString(),
  }));
}
