import { CHECKLIST_IDS, type ChecklistId } from '../../runbooks/types';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Roster } from '../../runbooks/roster';
import { CHECKLISTS, type ChecklistDefinition } from '../../runbooks/checklists';
import type { ChecklistRunbook } from '../../runbooks/checklistPlan';
import { checklistInput } from './startChecklist';

export const scheduleIdOf = (id: ChecklistId) => `dbops-checklist-${id}`;

/**
 * Missed runs (server down) are caught up only within this window: a "morning" check must not fire at midnight
 * after a long outage. The default would be a year.
 */
export const CATCHUP_WINDOW = '15 minutes';

export interface ScheduleSettings {
  taskQueue: string;
  timeZone: string;
  /** ISO weekdays the checklists run on. */
  workdays: number[];
  roster: Roster;
  /** The checklists as configured (lib/catalog.ts); defaults to the shipped ones. */
  definitions?: Record<ChecklistId, ChecklistDefinition>;
  /** The runbook in force: its version and the action policy each run's sign-offs follow (the built-in one when absent). */
  runbook?: ChecklistRunbook;
}

const WEEKDAY_NAMES = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

export function scheduleOptions(id: ChecklistId, s: ScheduleSettings): ScheduleOptions {
  const definitions = s.definitions ?? CHECKLISTS;
  const { time } = definitions[id];
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!match) throw new Error(`checklist time for ${id} must be HH:MM (24 h), not '${time}'`);
  return {
    scheduleId: scheduleIdOf(id),
    spec: {
      calendars: [{ hour: Number(match[1]), minute: Number(match[2]), dayOfWeek: s.workdays.map((d) => WEEKDAY_NAMES[d - 1]) }],
      timezone: s.timeZone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'dailyChecklist',
      workflowId: `checklist/${id}`,
      taskQueue: s.taskQueue,
      args: [checklistInput(id, s.roster, definitions, s.runbook)],
    },
    // Two runs of one checklist never overlap; a run still open at the next time means that time is skipped.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW },
    memo: { dbops: 'daily checklist', time, timeZone: s.timeZone },
  };
}

/** Creates the three schedules, or updates them in place: applying twice leaves three. */
export async function applySchedules(client: Client, s: ScheduleSettings): Promise<{ id: string; action: 'created' | 'updated' }[]> {
  const results: { id: string; action: 'created' | 'updated' }[] = [];
  for (const id of CHECKLIST_IDS) {
    const options = scheduleOptions(id, s);
    const handle = client.schedule.getHandle(options.scheduleId);
    try {
      await handle.update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
        policies: { ...previous.policies, ...options.policies },
      }));
      results.push({ id: options.scheduleId, action: 'updated' });
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create(options);
      results.push({ id: options.scheduleId, action: 'created' });
    }
  }
  return results;
}

export async function listSchedules(client: Client) {
  const rows = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith('dbops-checklist-')) continue;
    rows.push({
      id: s.scheduleId,
      paused: s.state.paused,
      next: s.info.nextActionTimes[0]?.toISOString(),
      recent: s.info.recentActions.at(-1)?.takenAt?.toISOString(),
    });
  }
  return rows;
}

/**
 * Pauses or resumes a schedule, and returns once describing it says so: the server hands the change to the
 * schedule's own workflow, and a describe right after can still show the old state (seen under load), which would
 * make a `pause` followed by a status look as if it had not taken.
 */
export async function setPaused(client: Client, id: ChecklistId, paused: boolean, note: string) {
  const handle = client.schedule.getHandle(scheduleIdOf(id));
  if (paused) await handle.pause(note);
  else await handle.unpause(note);
  for (let i = 0; i < 50 && (await handle.describe()).state.paused !== paused; i++) await new Promise((r) => setTimeout(r, 100));
}

export async function triggerNow(client: Client, id: ChecklistId) {
  await client.schedule.getHandle(scheduleIdOf(id)).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
}
