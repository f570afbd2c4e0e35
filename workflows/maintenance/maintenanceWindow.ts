import { condition, continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import type { DbopsActivities } from '../../activities';
import { nextOccurrence } from '../../runbooks/maintenance';
import { endMaintenanceSignal, type MaintenanceWindowInput } from './messages';

/** Activating and releasing occurrences: idempotent, retried until they land (a release is never given up). */
const { activateMaintenanceOccurrence, releaseMaintenanceOccurrences } = proxyActivities<DbopsActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Occurrences one run handles before continuing as new (a weekly window for a year is 52; history stays small). */
const OCCURRENCES_PER_RUN = 20;

/**
 * One maintenance window: at each occurrence's start it activates it (the intake then holds the alerts it matches),
 * at its end (or when a person ends the window early) it releases it: whatever is still firing opens (or re-pages)
 * its incident, once. Its clock is Temporal's durable timers, so a killed worker or server only delays a release,
 * never loses it; a weekly window's instants come from its zone's wall clock (runbooks/maintenance.ts).
 */
export async function maintenanceWindow(input: MaintenanceWindowInput): Promise<void> {
  let ended = false;
  setHandler(endMaintenanceSignal, () => void (ended = true), { description: 'a person ended the window early' });
  let after = input.after ?? 0;
  for (let n = 0; n < OCCURRENCES_PER_RUN && !ended; n++) {
    const occurrence = nextOccurrence(input.timing, after);
    if (!occurrence) return;
    if (Date.now() < occurrence.start) await condition(() => ended, occurrence.start - Date.now());
    if (ended) break;
    await activateMaintenanceOccurrence({ windowId: input.windowId, occurrence, at: Date.now() });
    if (Date.now() < occurrence.end) await condition(() => ended, occurrence.end - Date.now());
    await releaseMaintenanceOccurrences({ windowId: input.windowId, at: Date.now(), early: ended });
    if (ended) return;
    after = occurrence.end;
  }
  // Ended early before an occurrence began: nothing is active, and a release finds nothing to do.
  if (ended) {
    await releaseMaintenanceOccurrences({ windowId: input.windowId, at: Date.now(), early: true });
    return;
  }
  await continueAsNew<typeof maintenanceWindow>({ ...input, after });
}
