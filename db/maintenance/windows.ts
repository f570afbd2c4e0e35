import type { Pool, PoolClient } from 'pg';
import type { Occurrence, WindowScope, WindowTiming } from '../../runbooks/maintenance';
import { sharedRead } from '../../lib/sharedRead';
import { withTransaction } from '../transaction';

/** A maintenance window as kept in the audit store (migration 015). */
export interface StoredWindow {
  id: string;
  reason: string;
  scope: WindowScope;
  timing: WindowTiming;
  createdBy: string;
  createdAt: string;
  endedAt?: string;
  endedBy?: string;
  endReason?: string;
}

/** Who changes windows, and under which roster (recorded with each change). */
export interface WindowActor {
  id: string;
  rosterVersion?: string;
}

const rowToWindow = (r: Record<string, unknown>): StoredWindow => ({
  id: String(r.id),
  reason: r.reason as string,
  scope: r.scope as WindowScope,
  timing: r.timing as WindowTiming,
  createdBy: r.created_by as string,
  createdAt: (r.created_at as Date).toISOString(),
  ...(r.ended_at !== null && { endedAt: (r.ended_at as Date).toISOString() }),
  ...(r.ended_by !== null && { endedBy: r.ended_by as string }),
  ...(r.end_reason !== null && { endReason: r.end_reason as string }),
});

async function recordEvent(
  client: Pool | PoolClient,
  windowId: string,
  action: 'created' | 'ended' | 'released',
  actor: WindowActor,
  reason: string | undefined,
  data: Record<string, unknown>,
) {
  await client.query(
    'INSERT INTO maintenance_window_events (window_id, action, actor, roster_version, reason, data) VALUES ($1, $2, $3, $4, $5, $6)',
    [windowId, action, actor.id, actor.rosterVersion ?? null, reason ?? null, JSON.stringify(data)],
  );
}

/** Makes a window, audited. */
export function createWindow(pool: Pool, w: { reason: string; scope: WindowScope; timing: WindowTiming }, actor: WindowActor) {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      'INSERT INTO maintenance_windows (reason, scope, timing, created_by) VALUES ($1, $2, $3, $4) RETURNING *',
      [w.reason, JSON.stringify(w.scope), JSON.stringify(w.timing), actor.id],
    );
    const window = rowToWindow(rows[0]);
    await recordEvent(client, window.id, 'created', actor, w.reason, { scope: w.scope, timing: w.timing });
    return window;
  });
}

export async function getWindow(pool: Pool, id: string): Promise<StoredWindow | undefined> {
  const { rows } = await pool.query('SELECT * FROM maintenance_windows WHERE id = $1', [id]);
  return rows.length ? rowToWindow(rows[0]) : undefined;
}

/** Windows not ended early, newest first (the caller drops those whose last occurrence is over). */
export async function listWindows(pool: Pool, opts: { all?: boolean } = {}): Promise<StoredWindow[]> {
  const { rows } = await pool.query(
    `SELECT * FROM maintenance_windows ${opts.all ? '' : 'WHERE ended_at IS NULL'} ORDER BY id DESC LIMIT 500`,
  );
  return rows.map(rowToWindow);
}

/** Ends a window now (a person ends it early), audited; undefined: no such window; false: it had ended already. */
export async function endWindow(pool: Pool, id: string, actor: WindowActor, reason: string): Promise<StoredWindow | undefined | false> {
  const ended = await withTransaction(pool, async (client) => {
    const { rows } = await client.query('SELECT * FROM maintenance_windows WHERE id = $1 FOR UPDATE', [id]);
    if (!rows.length) return undefined;
    if (rows[0].ended_at !== null) return false;
    const { rows: ended } = await client.query(
      'UPDATE maintenance_windows SET ended_at = now(), ended_by = $2, end_reason = $3 WHERE id = $1 RETURNING *',
      [id, actor.id, reason],
    );
    await recordEvent(client, id, 'ended', actor, reason, {});
    return rowToWindow(ended[0]);
  });
  occurrencesNotOver.invalidate();
  return ended;
}

/** The audit of windows, oldest first. */
export async function windowEvents(pool: Pool, windowId?: string) {
  const { rows } = await pool.query('SELECT * FROM maintenance_window_events WHERE ($1::bigint IS NULL OR window_id = $1) ORDER BY id', [
    windowId ?? null,
  ]);
  return rows.map((r) => ({
    windowId: String(r.window_id),
    action: r.action as 'created' | 'ended' | 'released',
    actor: r.actor as string,
    at: (r.at as Date).toISOString(),
    rosterVersion: (r.roster_version as string | null) ?? undefined,
    reason: (r.reason as string | null) ?? undefined,
    data: r.data as Record<string, unknown>,
  }));
}

/** An occurrence begins (its workflow, at its start): unless the window was ended meanwhile. Idempotent. */
export async function activateOccurrence(pool: Pool, windowId: string, o: Occurrence, at: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO maintenance_occurrences (window_id, starts_at, ends_at, activated_at)
     SELECT $1, $2, $3, $4 FROM maintenance_windows WHERE id = $1 AND ended_at IS NULL
     ON CONFLICT (window_id, starts_at) DO NOTHING`,
    [windowId, new Date(o.start), new Date(o.end), new Date(at)],
  );
  occurrencesNotOver.invalidate();
  return (rowCount ?? 0) > 0;
}

/** An occurrence holding alerts now: the window's scope and reason, for the intake to match. */
export interface ActiveOccurrence {
  occurrenceId: string;
  windowId: string;
  reason: string;
  scope: WindowScope;
  start: number;
  end: number;
}

/**
 * Occurrences active at `now`: activated by their workflow, not released, not past their planned end by the
 * intake's clock (a window whose workflow is late to release holds nothing new), their window not ended early.
 */
export async function activeOccurrences(pool: Pool, now: number): Promise<ActiveOccurrence[]> {
  return (await occurrencesNotOver.get(pool)).filter((o) => o.end > now);
}

/**
 * The intake asks for every alert; one read a second serves them all (lib/sharedRead.ts). This process' writes
 * (a window made or ended, an occurrence begun or released) are seen at once; another process' within a second.
 * A stale copy never holds an alert a window no longer may: holdAlert checks the occurrence under its lock.
 */
const occurrencesNotOver = sharedRead(1000, async (pool) => {
  const { rows } = await (pool as Pool).query(
    `SELECT o.id, o.window_id, o.starts_at, o.ends_at, w.reason, w.scope
       FROM maintenance_occurrences o JOIN maintenance_windows w ON w.id = o.window_id
      WHERE o.released_at IS NULL AND w.ended_at IS NULL
      ORDER BY o.id`,
  );
  return rows.map((r): ActiveOccurrence => ({
    occurrenceId: String(r.id),
    windowId: String(r.window_id),
    reason: r.reason as string,
    scope: r.scope as WindowScope,
    start: (r.starts_at as Date).getTime(),
    end: (r.ends_at as Date).getTime(),
  }));
});

/** A held alert: enough to open its incident later as its source would have. */
export interface HeldAlert {
  integration: string;
  dedupKey: string;
  incidentKey: string;
  alert: {
    type: string;
    tier: string;
    severity?: string;
    fingerprint: string;
    title?: string;
    summary?: string;
    by: string;
    firedAt?: string;
  };
}

/**
 * Records a held alert on its occurrence (a repeat counts), if the occurrence is still unreleased: taken FOR SHARE,
 * so a release in progress waits for this hold, and a hold after a release finds it released and holds nothing.
 */
export function holdAlert(pool: Pool, occurrenceId: string, h: HeldAlert, at: number): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    // The authority on whether the occurrence still holds (the intake's list of them may be a second old).
    const { rows } = await client.query(
      `SELECT 1 FROM maintenance_occurrences o JOIN maintenance_windows w ON w.id = o.window_id
        WHERE o.id = $1 AND o.released_at IS NULL AND o.ends_at > $2 AND w.ended_at IS NULL FOR SHARE OF o`,
      [occurrenceId, new Date(at)],
    );
    if (!rows.length) return false;
    await client.query(
      `INSERT INTO maintenance_held_alerts (occurrence_id, integration, dedup_key, incident_key, alert, first_at, last_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (occurrence_id, integration, dedup_key)
       DO UPDATE SET count = maintenance_held_alerts.count + 1, alert = EXCLUDED.alert, last_at = EXCLUDED.last_at,
                     firing = true, resolved_at = NULL, incident_key = EXCLUDED.incident_key`,
      [occurrenceId, h.integration, h.dedupKey, h.incidentKey, JSON.stringify(h.alert), new Date(at)],
    );
    return true;
  });
}

/** The source says a held alert is over: it will not open its incident when the window ends. */
export async function resolveHeldAlert(pool: Pool, integration: string, dedupKey: string, at: number): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE maintenance_held_alerts SET firing = false, resolved_at = $3
      WHERE integration = $1 AND dedup_key = $2 AND outcome IS NULL AND firing`,
    [integration, dedupKey, new Date(at)],
  );
  return rowCount ?? 0;
}

/** What one incident key held in an occurrence: its alerts (firing first) and the window that held them. */
export interface HeldIncident {
  windowId: string;
  occurrenceId: string;
  reason: string;
  occurrence: Occurrence;
  incidentKey: string;
  /** Alerts still firing at the end; none: every alert resolved in the window. */
  firing: HeldAlert[];
  resolved: number;
  count: number;
}

/**
 * Ends a window's active occurrences (all of them when `windowId`'s window was ended early): marks them released,
 * which waits for holds in progress, and returns what each incident key still has to do. Idempotent: a second run
 * (a retried activity) finds the keys already done marked, and does only the rest.
 */
export async function releaseOccurrences(pool: Pool, windowId: string, at: number, upTo: number): Promise<HeldIncident[]> {
  const released = await withTransaction(pool, async (client) => {
    await client.query(
      'UPDATE maintenance_occurrences SET released_at = $2 WHERE window_id = $1 AND released_at IS NULL AND starts_at <= $3',
      [windowId, new Date(at), new Date(upTo)],
    );
    const { rows } = await client.query(
      `SELECT h.*, o.starts_at, o.ends_at, w.reason FROM maintenance_held_alerts h
         JOIN maintenance_occurrences o ON o.id = h.occurrence_id JOIN maintenance_windows w ON w.id = o.window_id
        WHERE o.window_id = $1 AND o.released_at IS NOT NULL AND h.outcome IS NULL ORDER BY h.id`,
      [windowId],
    );
    const byKey = new Map<string, HeldIncident>();
    for (const r of rows) {
      const key = `${r.occurrence_id}/${r.incident_key}`;
      let held = byKey.get(key);
      if (!held)
        byKey.set(
          key,
          (held = {
            windowId,
            occurrenceId: String(r.occurrence_id),
            reason: r.reason,
            occurrence: { start: (r.starts_at as Date).getTime(), end: (r.ends_at as Date).getTime() },
            incidentKey: r.incident_key,
            firing: [],
            resolved: 0,
            count: 0,
          }),
        );
      held.count += r.count as number;
      if (r.firing) held.firing.push({ integration: r.integration, dedupKey: r.dedup_key, incidentKey: r.incident_key, alert: r.alert });
      else held.resolved++;
    }
    return [...byKey.values()];
  });
  occurrencesNotOver.invalidate();
  return released;
}

/** What the release did with one incident key's held alerts. */
export async function markReleased(pool: Pool, held: HeldIncident, outcome: string, workflowId?: string) {
  await pool.query(
    `UPDATE maintenance_held_alerts SET outcome = CASE WHEN firing THEN $3 ELSE 'resolved-in-window' END, workflow_id = $4
      WHERE occurrence_id = $1 AND incident_key = $2 AND outcome IS NULL`,
    [held.occurrenceId, held.incidentKey, outcome, workflowId ?? null],
  );
}

/** The release of an occurrence, in the window's audit: how many alerts on how many keys, and what became of them. */
export async function recordRelease(pool: Pool, windowId: string, data: Record<string, unknown>) {
  await recordEvent(pool, windowId, 'released', { id: 'dbops' }, undefined, data);
}

/** Held alerts of a window (for `maintenance list` and the audit), newest first. */
export async function heldAlerts(pool: Pool, windowId: string) {
  const { rows } = await pool.query(
    `SELECT h.* FROM maintenance_held_alerts h JOIN maintenance_occurrences o ON o.id = h.occurrence_id
      WHERE o.window_id = $1 ORDER BY h.id DESC LIMIT 1000`,
    [windowId],
  );
  return rows.map((r) => ({
    incidentKey: r.incident_key as string,
    integration: r.integration as string,
    dedupKey: r.dedup_key as string,
    count: r.count as number,
    firing: r.firing as boolean,
    outcome: (r.outcome as string | null) ?? undefined,
    workflowId: (r.workflow_id as string | null) ?? undefined,
  }));
}

/** What the release did with one incident key: opened a new incident, re-paged the open one, or counted a repeat. */
export interface ReleaseOutcome {
  outcome: 'opened' | 're-paged' | 'repeated';
  workflowId: string;
}

/** Opens (or re-pages) the incident of held alerts still firing at the end (a Temporal client call, given by the worker). */
export type HeldIncidentReleaser = (held: HeldIncident, endedAt: number) => Promise<ReleaseOutcome>;
