import type { IncidentSnapshot, NextDeadline } from './records';

/**
 * How the incidents row keeps what lists show without asking the workflow, written by writeIncidentEvents and read
 * by the console's list and the API's: the next deadline (migration 018) and the acknowledgement in force.
 */

/** The snapshot's next deadline as the row's two columns: NULL for a snapshot made before it existed, 'none' when nothing is due. */
export function nextDeadlineColumns(snap: IncidentSnapshot): [string | null, string | null] {
  if (snap.nextDeadline === undefined) return [null, null];
  return [snap.nextDeadline?.what ?? 'none', snap.nextDeadline?.at ?? null];
}

/** The row's next deadline: undefined when the row was last written before it was kept, null when nothing is due. */
export function nextDeadlineOfRow(row: { next_deadline: string | null; next_deadline_at: Date | null }): NextDeadline | null | undefined {
  if (row.next_deadline === null) return undefined;
  if (row.next_deadline === 'none' || !row.next_deadline_at) return null;
  return { at: row.next_deadline_at.toISOString(), what: row.next_deadline as NextDeadline['what'] };
}

/** Who acknowledged it, while that holds: the row keeps the first acknowledgement (MTTA counts it), also after it lapsed. */
export function acknowledgerOfRow(row: { phase: string; acknowledged_by: string | null }): string | undefined {
  return row.phase !== 'triggered' ? (row.acknowledged_by ?? undefined) : undefined;
}
