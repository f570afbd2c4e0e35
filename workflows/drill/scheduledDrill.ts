import { proxyActivities } from '@temporalio/workflow';
import type { DbopsActivities } from '../../activities';

/** What the monthly drill Schedule starts: one runbook on one tier (DBOPS_MONTHLY_DRILLS). */
export interface ScheduledDrillInput {
  type: string;
  tier: string;
}

const { openScheduledDrill } = proxyActivities<DbopsActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Opens the month's drill (docs/drills.md) through an activity, so the drill's plan is built from the roster and
 * runbook in force when it runs, not frozen into the Schedule when it was made. Returns the drill's workflow id.
 */
export async function scheduledDrill(input: ScheduledDrillInput): Promise<string> {
  const { workflowId } = await openScheduledDrill(input);
  return workflowId;
}
