import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DbopsActivities } from '../../activities';
import { iso, MINUTE } from '../shared/time';

/** The API sends it when an override is made or removed: the next handoff is computed again at once. */
export const onCallChangedSignal = defineSignal('onCallChanged');

export interface HandoffWatchState {
  /** Every handoff up to this instant has been told. */
  toldUpTo: string;
  /** The next handoff known (within RECHECK_MS), if any. */
  nextHandoffAt?: string;
  /** Notices queued by this run (not counting earlier runs before a continue-as-new). */
  noticesTold: number;
}
export const handoffWatchStateQuery = defineQuery<HandoffWatchState>('handoffWatchState');

export interface OnCallHandoffsInput {
  /** Carried over a continue-as-new: handoffs up to here were told. Absent on a first start: from now on. */
  toldUpTo?: number;
}

/**
 * How often the schedules file is looked at again between handoffs: an edit (picked up by the worker's file watch)
 * moves the next handoff, and a handoff the edit brings within this window is told on time or up to this late.
 */
export const RECHECK_MS = 5 * MINUTE;
/** After an outage longer than this, older handoffs are not told any more: news a day old helps nobody. */
const CATCH_UP_MS = 24 * 60 * MINUTE;
/** Waits per run before continue-as-new (each adds about a dozen events): a year of handoffs keeps a short history. */
const WAITS_PER_RUN = 100;

const { planHandoffs, tellHandoff } = proxyActivities<DbopsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Tells the outgoing and incoming people at every handoff of every scheduled or overridden role, on a durable timer:
 * it sleeps until the next handoff (or RECHECK_MS, or an onCallChanged signal), then tells every handoff due since
 * the last telling, as computed from the schedules, overrides and roster in force then. Each notice's id is fixed by
 * role, instant and person, so one told again (a worker killed mid-way, an activity retried) is not sent twice.
 */
export async function onCallHandoffs(input: OnCallHandoffsInput = {}): Promise<void> {
  let toldUpTo = Math.max(input.toldUpTo ?? Date.now(), Date.now() - CATCH_UP_MS);
  let nextHandoffAt: number | undefined;
  let noticesTold = 0;
  let changed = false;
  setHandler(onCallChangedSignal, () => void (changed = true));
  setHandler(handoffWatchStateQuery, () => ({
    toldUpTo: iso(toldUpTo),
    ...(nextHandoffAt !== undefined && { nextHandoffAt: iso(nextHandoffAt) }),
    noticesTold,
  }));
  for (let wait = 0; wait < WAITS_PER_RUN && !workflowInfo().continueAsNewSuggested; wait++) {
    changed = false;
    const now = Date.now();
    const plan = await planHandoffs({ from: toldUpTo, to: now + RECHECK_MS });
    for (const handoff of plan.handoffs.filter((h) => h.at <= now)) {
      const told = await tellHandoff({ handoff, rosterVersion: plan.rosterVersion, scheduleVersion: plan.scheduleVersion });
      noticesTold += told.length;
    }
    toldUpTo = now;
    nextHandoffAt = plan.handoffs.find((h) => h.at > now)?.at;
    await condition(() => changed, (nextHandoffAt ?? now + RECHECK_MS) - now);
  }
  await continueAsNew<typeof onCallHandoffs>({ toldUpTo });
}
