import { patched } from '@temporalio/workflow';

/**
 * Incidents opened before this patch wrote each audit event before paging, and paged a critical ladder one rung at
 * a time; they replay that way. Later runs page first: the audit catches up behind the page, never in front of it.
 */
export const PAGING_NEVER_WAITS = 'paging-never-waits';

/**
 * Incidents opened before this patch sent their opening pages as ordinary activities; later ones send them as local
 * activities within the first workflow task: no round trip through the server, no wait in the task queue behind
 * other incidents' audit writes and checks. Alert → first page p50 went from 1.71 and 1.88 × the bare Temporal
 * baseline to 1.36 and 1.41 (bench, same machine and load, two runs each).
 */
export const FIRST_PAGE_AT_ONCE = 'first-page-at-once';

/**
 * Runs opened from this patch on are ready for a storm of alerts:
 * - the audit events gathered while a write is on its way go out in one activity (recordIncidentEvents);
 * - pages after the opening one go to the pages task queue (workflows/shared/taskQueues.ts), which a worker of
 *   its own serves with no rate, while the main queue's audit writes and checks are held to one;
 * - the first task does not repeat the search attributes the start already set;
 * - both patches above hold without being recorded: each patch marker also costs a search-attribute update on
 *   the server (TemporalChangeVersion), so one marker stands for all three.
 * 2,000 distinct alerts at once (bench --burst, with the worker's activity rate): all paged within 60 s of their
 * alert, the last 43 to 50 s after the first; before, 1,588 to 1,750 of them, the last 85 to 104 s after.
 */
export const STORM_READY = 'storm-ready';

/** Which of the workflow's versions this run follows, decided once when it starts (or replays its start). */
export interface IncidentVersion {
  stormReady: boolean;
  pagingNeverWaits(): boolean;
  firstPageAtOnce(): boolean;
}

export function incidentVersion(): IncidentVersion {
  // Asked once: a run that replays without the marker keeps the older behaviour for the rest of its life.
  const stormReady = patched(STORM_READY);
  return {
    stormReady,
    pagingNeverWaits: () => stormReady || patched(PAGING_NEVER_WAITS),
    firstPageAtOnce: () => stormReady || patched(FIRST_PAGE_AT_ONCE),
  };
}
