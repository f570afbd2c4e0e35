import type { Pool } from 'pg';
import type { FeedRef } from '../../lib/calendarLinks';

/** A feed's generation: how many times it was revoked, and the latest revocation (migration 013). */
export interface FeedGeneration {
  generation: number;
  lastRevoked?: { by: string; at: string };
}

export async function feedGeneration(pool: Pool, ref: FeedRef): Promise<FeedGeneration> {
  const { rows } = await pool.query<{ n: number; by: string | null; at: Date | null }>(
    `SELECT count(*)::int AS n, (array_agg(revoked_by ORDER BY id DESC))[1] AS by, max(revoked_at) AS at
     FROM calendar_feed_revocations WHERE kind = $1 AND subject = $2`,
    [ref.kind, ref.id],
  );
  const r = rows[0];
  return { generation: r.n, ...(r.by && r.at && { lastRevoked: { by: r.by, at: r.at.toISOString() } }) };
}

/** Revokes every URL of a feed made so far (audited: who, under which roster); returns the new generation. */
export async function revokeFeed(pool: Pool, ref: FeedRef, actor: { id: string; rosterVersion: string }): Promise<number> {
  await pool.query('INSERT INTO calendar_feed_revocations (kind, subject, revoked_by, roster_version) VALUES ($1, $2, $3, $4)', [
    ref.kind,
    ref.id,
    actor.id,
    actor.rosterVersion,
  ]);
  return (await feedGeneration(pool, ref)).generation;
}
