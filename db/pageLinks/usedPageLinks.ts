import type { Pool } from 'pg';
import { withTransaction } from '../transaction';

/** Whether an ack link already acknowledged its incident (it works once). */
export async function pageLinkUsed(pool: Pool, linkId: string): Promise<{ usedAt: string } | undefined> {
  const { rows } = await pool.query<{ used_at: Date }>('SELECT used_at FROM used_page_links WHERE link_id = $1', [linkId]);
  return rows[0] ? { usedAt: rows[0].used_at.toISOString() } : undefined;
}

/**
 * Uses an ack link once: its id is claimed, `act` runs, and the claim is kept only if `act` succeeded (one that
 * failed or was refused changes nothing, so the link is not spent). A second use of the link, or one racing the
 * first (it waits on the claim's row lock), gets 'used' and `act` does not run.
 */
export function usePageLinkOnce<T>(
  pool: Pool,
  link: { linkId: string; incidentId: string; person: string },
  act: () => Promise<T>,
): Promise<{ used: true } | { used: false; result: T }> {
  return withTransaction(pool, async (client) => {
    // A link lives at most 30 days (DBOPS_LINK_TTL_HOURS ≤ 720) from its page, which came before its use: a link
    // used more than 31 days ago has expired and its row has nothing left to refuse.
    await client.query(`DELETE FROM used_page_links WHERE used_at < now() - interval '31 days'`);
    const { rowCount } = await client.query(
      'INSERT INTO used_page_links (link_id, incident_id, person) VALUES ($1, $2, $3) ON CONFLICT (link_id) DO NOTHING',
      [link.linkId, link.incidentId, link.person],
    );
    if (!rowCount) return { used: true } as const;
    return { used: false, result: await act() } as const;
  });
}
