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

/**
 * Runs opened from this patch on follow the action policy's semantics (runbooks/actionPolicy.ts):
 * - lowering the severity of an unacknowledged incident keeps the clocks already running and tells everyone paged;
 * - after the top rung the ladder starts again from the first (the on-call who slept through is woken again);
 * - every attempt of an approval-gated step waits for its own approval (a retried failover is approved again);
 * - resolving no longer counts as an acknowledgement (MTTA counts acknowledgements only), and an acknowledgement
 *   after the response deadline records the breach;
 * - `paged` and `escalated` events are written once the page is sent, naming the people it reached and the roster;
 * - a page's notification id comes from what caused it (rung and repeat), never from the audit sequence, so a
 *   first task retried after a worker died, with repeats arriving meanwhile, sends the same page under the same id.
 */
export const ACTION_POLICY = 'action-policy';

/**
 * Runs opened from this patch on follow the alert lifecycle (issue 25; docs/alert-lifecycle.md):
 * - a person may snooze the incident (its clocks pause and resume exactly), a higher-severity trigger breaks it;
 * - an acknowledgement with no update within its severity's timeout reminds the acknowledger, then returns the
 *   incident to escalation;
 * - an alert's breach holds for the plan's holdForSeconds before it pages (a clear within the hold pages nobody);
 * - an incident its alert closed waits for the reopen window: the alert firing again reopens it.
 */
export const ALERT_LIFECYCLE = 'alert-lifecycle';

/**
 * Runs opened from this patch on page through the on-call schedule's gaps and say what is wrong:
 * - each page names the rungs above its own (`fallback`): a role nobody holds when the page is sent (a gap in its
 *   schedule) is paged at once to the first rung above with somebody on it, and the notify activity says so; the
 *   `paged`/`escalated` event records the gap. The activity decides (it reads the schedules, overrides and roster
 *   in force), the workflow only records its answer: replay reads that answer from history, so it stays deterministic;
 * - each page carries its diagnosis (severity, type, tier, the response deadline, the automated checks' outcomes so
 *   far, who was paged, the runbook's next step), which the channels show.
 */
export const ONCALL_PAGES = 'oncall-pages';

/**
 * Runs opened from this patch on take part in alert grouping and maintenance windows (issue 25, items 1, 5, 7):
 * - the `relateAlert` Update: an alert grouped into this incident (a replica's symptom while its primary's outage is
 *   open, an alert of the same cause within the grouping window, or an incident opened earlier and linked) is
 *   counted and recorded as `related-alert`, naming the alert and why, instead of paging;
 * - the `maintenanceEnded` Update: alerts a maintenance window held on this incident's key are still firing at its
 *   end: the rungs paged so far are paged again, once (the update id is the window's occurrence), `maintenance-ended`;
 * - the `opened` event names the maintenance window whose held alerts opened it (`heldBy`).
 * Runs without the marker have neither Update: the intake then pages as before (opens or repeats the incident).
 * Plan: deprecatePatch once no run opened before it is open, then remove it with its unpatched histories.
 */
export const ALERT_GROUPING = 'alert-grouping';

/**
 * Runs opened from this patch on follow every patch above, recorded as this one marker. Each marker the SDK records
 * comes with an upsert of the TemporalChangeVersion search attribute naming every patch so far: five markers made a
 * new incident's first task five markers and five growing upserts, which the server writes to its history and its
 * visibility store before the next incident's task is handed out. A burst of 2,000 alerts went from its last page
 * 43–50 s after the first alert to 138 s when the fourth and fifth were added (docs/performance.md).
 * Later patches are asked only by the incidents that use them (RUNBOOK_PROBES by a probe step, DRILLS by a drill), so
 * an ordinary incident records this one marker; a patch every incident needs would be folded into a marker like this.
 */
export const INCIDENT_2026_12 = 'incident-2026-12';

/**
 * Runs opened from this patch on follow INCIDENT_2026_12 (recorded as this one marker instead). A critical one writes
 * its opening audit batch (`opened`, the opening pages' `paged` events, whatever else the first task records) as a
 * local activity in the first workflow task, once the opening pages are sent: it then needs one workflow task and no
 * activity through the server before it waits for its deadline, where it needed three and two. 2,000 critical alerts
 * through Alertmanager: last page 45–49 s after the post, 54–88 s before. Lower severities keep the ordinary write:
 * their storms are held back by the main queue's activity rate, which keeps audit work out of the way of new
 * incidents' first tasks, and a burst of 2,000 medium ones paged later with the write at once (55–72 s against
 * 44–50 s, alternated). Later writes stay ordinary activities. docs/performance.md.
 */
export const OPENING_AT_ONCE = 'opening-at-once';

/**
 * Runs opened from this patch on (chained after INCIDENT_2026_12) run a runbook file's declarative SQL probes (steps
 * of kind `probe`, issue 26) with the `runProbe` activity; a run without the marker never had one in its plan (plans
 * freeze the runbook they opened with). Its marker is recorded when the first probe step is reached, not at the start:
 * incidents without a probe (a storm's) keep the one marker INCIDENT_2026_12.
 */
export const RUNBOOK_PROBES = 'runbook-probes';

/**
 * Runs opened from this patch on may be drills (issue 26; docs/drills.md): an input with `drill` marks the incident
 * DRILL in its state, its `opened` event, its audit row and every notification it sends ("[DRILL] …"), and its
 * approval-gated, hook and stakeholder steps stop before acting (`step-not-run`, "not run: drill"). A run without the
 * marker ignores `drill` (none was ever started before it). Asked only when the input is a drill: an ordinary incident
 * records no marker for it (each marker costs a search-attribute upsert in the first task, which a storm feels).
 */
export const DRILLS = 'drills';

/** Which of the workflow's versions this run follows, decided once when it starts (or replays its start). */
export interface IncidentVersion {
  stormReady: boolean;
  /** See OPENING_AT_ONCE. */
  openingAtOnce: boolean;
  /** See ACTION_POLICY. */
  actionPolicy: boolean;
  /** See ALERT_LIFECYCLE. */
  alertLifecycle: boolean;
  /** See ONCALL_PAGES. */
  oncallPages: boolean;
  /** See ALERT_GROUPING. */
  alertGrouping: boolean;
  /** See RUNBOOK_PROBES. Asked when a probe step is reached, so an incident without probes records no marker for it. */
  runbookProbes(): boolean;
  /** See DRILLS. Asked only for an input marked `drill`, so ordinary incidents record no marker for it. */
  drills(): boolean;
  pagingNeverWaits(): boolean;
  firstPageAtOnce(): boolean;
}

export function incidentVersion(): IncidentVersion {
  // Asked first, newest first: a run with a marker follows every patch before it without recording theirs. A run
  // recorded before it replays without it (patched() is false and records nothing on replay) and asks the older ones.
  const openingAtOnce = patched(OPENING_AT_ONCE);
  if (openingAtOnce || patched(INCIDENT_2026_12))
    return {
      stormReady: true,
      openingAtOnce,
      actionPolicy: true,
      alertLifecycle: true,
      oncallPages: true,
      alertGrouping: true,
      // The patch after the folded ones, chained after them; asked only by a plan with a probe (a storm's incidents
      // without one keep their one marker).
      runbookProbes: () => patched(RUNBOOK_PROBES),
      // Asked only for an input marked `drill`: an ordinary incident records no marker for it.
      drills: () => patched(DRILLS),
      pagingNeverWaits: () => true,
      firstPageAtOnce: () => true,
    };
  // Asked once: a run that replays without the marker keeps the older behaviour for the rest of its life.
  const stormReady = patched(STORM_READY);
  // Only storm-ready runs can take the newer patch: an older run keeps its older behaviour whole.
  const actionPolicy = stormReady && patched(ACTION_POLICY);
  // The patches after it are independent of each other: a run recorded with one of them replays with the others off.
  const alertLifecycle = actionPolicy && patched(ALERT_LIFECYCLE);
  const oncallPages = actionPolicy && patched(ONCALL_PAGES);
  const alertGrouping = actionPolicy && patched(ALERT_GROUPING);
  return {
    stormReady,
    openingAtOnce: false,
    actionPolicy,
    alertLifecycle,
    oncallPages,
    alertGrouping,
    // Probes came after INCIDENT_2026_12: a run without that marker never had one in its plan.
    runbookProbes: () => false,
    drills: () => actionPolicy && patched(DRILLS),
    pagingNeverWaits: () => stormReady || patched(PAGING_NEVER_WAITS),
    firstPageAtOnce: () => stormReady || patched(FIRST_PAGE_AT_ONCE),
  };
}
