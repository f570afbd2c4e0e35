import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { ScheduledDrillInput } from '../../workflows/drill/scheduledDrill';

const PREFIX = 'dbops-drill-';
export const drillScheduleIdOf = (d: ScheduledDrillInput) => `${PREFIX}${d.type}-${d.tier}`;

/** A missed month's drill (server down) is caught up within a day, not weeks later. */
const CATCHUP_WINDOW = '1 day';

/**
 * The monthly drill: the first Tuesday of each month at 10:00 in the team's zone (a working morning, early in the
 * month, when the team can plan for it and learn from it). The drill's plan is built when it runs
 * (workflows/drill/scheduledDrill.ts).
 */
export function drillScheduleOptions(d: ScheduledDrillInput, o: { taskQueue: string; timeZone: string }): ScheduleOptions {
  return {
    scheduleId: drillScheduleIdOf(d),
    spec: {
      calendars: [{ dayOfMonth: { start: 1, end: 7 }, dayOfWeek: 'TUESDAY', hour: 10, minute: 0 }],
      timezone: o.timeZone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledDrill',
      workflowId: `drill/${d.type}/${d.tier}`,
      taskQueue: o.taskQueue,
      args: [d],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW },
    memo: { dbops: 'monthly drill', type: d.type, tier: d.tier },
  };
}

/**
 * Makes the monthly drill Schedules match DBOPS_MONTHLY_DRILLS (docs/drills.md), at worker start: creates or updates
 * each one configured and deletes those no longer configured, so unsetting the variable turns drills off again.
 */
export async function applyDrillSchedules(
  client: Client,
  drills: ScheduledDrillInput[],
  o: { taskQueue: string; timeZone: string },
): Promise<{ id: string; action: 'created' | 'updated' | 'deleted' }[]> {
  const results: { id: string; action: 'created' | 'updated' | 'deleted' }[] = [];
  for (const d of drills) {
    const options = drillScheduleOptions(d, o);
    const handle = client.schedule.getHandle(options.scheduleId);
    try {
      await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
      results.push({ id: options.scheduleId, action: 'updated' });
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create(options);
      results.push({ id: options.scheduleId, action: 'created' });
    }
  }
  const wanted = new Set(drills.map(drillScheduleIdOf));
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith(PREFIX) || wanted.has(s.scheduleId)) continue;
    await client.schedule
      .getHandle(s.scheduleId)
      .delete()
      .catch((err) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    results.push({ id: s.scheduleId, action: 'deleted' });
  }
  return results;
}
