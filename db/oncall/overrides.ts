import type { Pool, PoolClient } from 'pg';
import type { Override } from '../../runbooks/onCall';
import type { PlannedOverride, Refusal } from '../../runbooks/onCallOverrides';
import type { Role } from '../../runbooks/types';
import { withTransaction } from '../transaction';

/** An override as kept in the audit store (migration 012). */
export interface StoredOverride extends Override {
  replaces: string[];
  swapId?: string;
  reason: string;
  createdBy: string;
  createdAt: string;
}

/** Who changes overrides, and under which roster and schedules (recorded with each change). */
export interface OverrideActor {
  id: string;
  rosterVersion: string;
  scheduleVersion: string;
}

const rowToOverride = (r: Record<string, unknown>): StoredOverride => ({
  id: String(r.id),
  role: r.role as Role,
  person: r.person as string,
  start: (r.starts_at as Date).getTime(),
  end: (r.ends_at as Date).getTime(),
  replaces: r.replaces as string[],
  ...(r.swap_id !== null && { swapId: String(r.swap_id) }),
  reason: r.reason as string,
  createdBy: r.created_by as string,
  createdAt: (r.created_at as Date).toISOString(),
});

const SELECT = 'SELECT * FROM oncall_overrides WHERE ($1::text IS NULL OR role = $1) AND ends_at > $2 ORDER BY id';

/** Overrides not yet over at `after` (all roles, or one), oldest first: the order in which later ones win. */
export async function listOverrides(pool: Pool | PoolClient, opts: { role?: Role; after?: number } = {}): Promise<StoredOverride[]> {
  const { rows } = await pool.query(SELECT, [opts.role ?? null, new Date(opts.after ?? 0)]);
  return rows.map(rowToOverride);
}

async function record(client: PoolClient, action: 'created' | 'deleted', o: StoredOverride, actor: OverrideActor) {
  await client.query(
    'INSERT INTO oncall_override_events (override_id, action, actor, roster_version, schedule_version, override) VALUES ($1, $2, $3, $4, $5, $6)',
    [o.id, action, actor.id, actor.rosterVersion, actor.scheduleVersion, JSON.stringify(o)],
  );
}

/** One role's overrides change one at a time: who an override replaces is decided on the overrides it will sit over. */
const lockRole = (client: PoolClient, role: Role) =>
  client.query("SELECT pg_advisory_xact_lock(hashtext('oncall-overrides:' || $1))", [role]);

/**
 * Makes the overrides `plan` decides on the role's current overrides (one, or the two of a swap, as one), audited,
 * or returns its refusal; nothing is written then.
 */
export function createOverrides(
  pool: Pool,
  role: Role,
  actor: OverrideActor,
  reason: string,
  plan: (current: StoredOverride[]) => PlannedOverride[] | Refusal,
): Promise<StoredOverride[] | Refusal> {
  return withTransaction(pool, async (client) => {
    await lockRole(client, role);
    const planned = plan(await listOverrides(client, { role }));
    if (!Array.isArray(planned)) return planned;
    const made: StoredOverride[] = [];
    for (const p of planned) {
      const { rows } = await client.query(
        `INSERT INTO oncall_overrides (role, person, starts_at, ends_at, replaces, reason, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [p.role, p.person, new Date(p.start), new Date(p.end), p.replaces, reason, actor.id],
      );
      made.push(rowToOverride(rows[0]));
    }
    // The two overrides of a swap share the first one's id, so either one finds the other.
    if (made.length > 1) {
      await client.query('UPDATE oncall_overrides SET swap_id = $1 WHERE id = ANY($2::bigint[])', [made[0].id, made.map((o) => o.id)]);
      for (const o of made) o.swapId = made[0].id;
    }
    for (const o of made) await record(client, 'created', o, actor);
    return made;
  });
}

/**
 * Removes an override, with the other one of its swap, when `allowed` says the actor may remove them all; audited.
 * Undefined: no such override.
 */
export function deleteOverride(
  pool: Pool,
  id: string,
  actor: OverrideActor,
  allowed: (overrides: StoredOverride[]) => Refusal | undefined,
): Promise<StoredOverride[] | Refusal | undefined> {
  return withTransaction(pool, async (client) => {
    const { rows: found } = await client.query('SELECT role FROM oncall_overrides WHERE id = $1', [id]);
    if (!found.length) return undefined;
    await lockRole(client, found[0].role);
    const { rows } = await client.query(
      'SELECT * FROM oncall_overrides WHERE id = $1 OR (swap_id IS NOT NULL AND swap_id = (SELECT swap_id FROM oncall_overrides WHERE id = $1)) ORDER BY id',
      [id],
    );
    if (!rows.length) return undefined;
    const overrides = rows.map(rowToOverride);
    const refused = allowed(overrides);
    if (refused) return refused;
    await client.query('DELETE FROM oncall_overrides WHERE id = ANY($1::bigint[])', [overrides.map((o) => o.id)]);
    for (const o of overrides) await record(client, 'deleted', o, actor);
    return overrides;
  });
}

/** The audit of overrides: every creation and removal, oldest first. */
export async function overrideEvents(pool: Pool, overrideId?: string) {
  const { rows } = await pool.query('SELECT * FROM oncall_override_events WHERE ($1::bigint IS NULL OR override_id = $1) ORDER BY id', [
    overrideId ?? null,
  ]);
  return rows.map((r) => ({
    overrideId: String(r.override_id),
    action: r.action as 'created' | 'deleted',
    actor: r.actor as string,
    at: (r.at as Date).toISOString(),
    rosterVersion: r.roster_version as string,
    scheduleVersion: r.schedule_version as string,
    override: r.override as StoredOverride,
  }));
}

/**
 * The overrides of some roles not over at `at` (oldest first), as the page path needs them: one query on the
 * (role, ends_at) index, the columns the resolver reads and nothing else.
 */
export async function overridesOfRoles(pool: Pool, roles: readonly Role[], at: number): Promise<Override[]> {
  const { rows } = await pool.query<{ id: string; role: Role; person: string; starts_at: Date; ends_at: Date }>(
    'SELECT id, role, person, starts_at, ends_at FROM oncall_overrides WHERE role = ANY($1) AND ends_at > $2 ORDER BY id',
    [roles, new Date(at)],
  );
  return rows.map((r) => ({ id: String(r.id), role: r.role, person: r.person, start: r.starts_at.getTime(), end: r.ends_at.getTime() }));
}
