import type { Pool } from 'pg';
import { activeOccurrences, holdAlert, type HeldAlert } from '../../db/maintenance/windows';
import { windowHolds, type ScopedAlert } from '../../runbooks/maintenanceScope';

/** What the intake answers for an alert a maintenance window held: which window, why, until when. */
export interface HeldBy {
  window: string;
  reason: string;
  until: string;
}

/**
 * Holds the alert if an active maintenance window's scope matches it: recorded on its incident key (counted, with
 * the window), not paged; the window's end opens its incident if it is still firing. Undefined: no window holds it
 * (or the one that matched let go meanwhile), and the caller pages as usual.
 */
export async function holdIfInMaintenance(pool: Pool, alert: ScopedAlert, held: HeldAlert, at: number): Promise<HeldBy | undefined> {
  for (const o of await activeOccurrences(pool, at)) {
    if (!windowHolds(o.scope, alert)) continue;
    if (await holdAlert(pool, o.occurrenceId, held, at))
      return { window: o.windowId, reason: o.reason, until: new Date(o.end).toISOString() };
  }
  return undefined;
}
