import type { BenchContext } from './context';
import { firstTaskTimes } from './firstTask';
import { OPENING_IN_FLIGHT, openMany } from './openMany';
import type { BenchResult } from './report';
import { max, ms, percentile } from './stats';

const LOW = 2_000;
const CRITICAL = 20;
/** Between two critical alerts: they arrive one by one across the middle of the storm, not as one lump. */
const CRITICAL_SPACING_MS = 200;
const GOAL_MS = 5_000;

/**
 * `--critical-in-storm`: 20 critical alerts (a database outage on content) posted one by one in the middle of a
 * burst of 2,000 low ones on olap (20 in flight), all to POST /alerts: an outage that begins while a storm of warnings
 * is being opened. Not on oltp: olap depends on oltp (runbooks/topology.ts), so the storm's alerts would be grouped
 * into an oltp outage (one Update each on that incident), which measures grouping, not paging first.
 * Reports each critical alert's post → first page (goal: p99 within 5 s), how many low incidents paged
 * while it waited, and how long its first workflow task waited in its task queue.
 */
export async function criticalInStorm(ctx: BenchContext): Promise<BenchResult> {
  const run = await openMany(ctx, LOW, 'storm-low', 'low', async (storm) => {
    const criticals = [];
    for (let i = 0; i < CRITICAL; i++) {
      criticals.push(await storm.post({ type: 'database-outage', tier: 'content', severity: 'critical' }, 'storm-critical'));
      await new Promise((r) => setTimeout(r, CRITICAL_SPACING_MS));
    }
    const pagedAt = await Promise.all(criticals.map((c) => storm.recorder.waitFor('page', c.key)));
    const criticalKeys = new Set(criticals.map((c) => c.key));
    const lows = [...storm.recorder.firstPage].filter(([key]) => !criticalKeys.has(key)).map(([, at]) => at);
    return criticals.map((c, i) => ({
      workflowId: c.workflowId,
      toPage: pagedAt[i] - c.sentAt,
      lowsPagedWhileWaiting: lows.filter((at) => at > c.sentAt && at <= pagedAt[i]).length,
    }));
  });
  try {
    const criticals = run.midway!;
    const toPage = criticals.map((c) => c.toPage);
    const waitedFor = criticals.map((c) => c.lowsPagedWhileWaiting);
    const first = await firstTaskTimes(
      run.session.client,
      criticals.map((c) => c.workflowId),
    );
    const within = toPage.filter((x) => x <= GOAL_MS).length;
    return {
      name: 'critical in a storm',
      setting: `dev server, ${CRITICAL} critical alerts one by one (every ${CRITICAL_SPACING_MS} ms) in the middle of ${LOW} low ones, ${OPENING_IN_FLIGHT} in flight, all to POST /alerts over HTTP`,
      figures: [
        ['critical alert → page p50 / p99 / max', `${ms(percentile(toPage, 50))} / ${ms(percentile(toPage, 99))} / ${ms(max(toPage))}`],
        [`critical paged within ${GOAL_MS / 1000} s of its alert (goal: all)`, `${within} / ${CRITICAL}`],
        ['low incidents paged while a critical one waited p50 / max', `${percentile(waitedFor, 50)} / ${max(waitedFor)}`],
        ['critical first task: queued p50 / p99', `${ms(first.queuedP50)} / ${ms(first.queuedP99)}`],
        ['low alert → page p50 / p99', `${ms(percentile(run.toPage, 50))} / ${ms(percentile(run.toPage, 99))}`],
        ['last low page after the first alert', `${run.lastPageS.toFixed(1)} s`],
      ],
      metrics: {
        critical_in_storm_page_p50_ms: percentile(toPage, 50),
        critical_in_storm_page_p99_ms: percentile(toPage, 99),
        critical_in_storm_page_max_ms: max(toPage),
        critical_in_storm_within_5s: within,
        critical_in_storm_lows_paged_while_waiting_p50: percentile(waitedFor, 50),
        critical_in_storm_first_task_queued_p50_ms: first.queuedP50,
        critical_in_storm_low_page_p50_ms: percentile(run.toPage, 50),
        critical_in_storm_low_last_page_s: run.lastPageS,
      },
    };
  } finally {
    await run.close();
  }
}
