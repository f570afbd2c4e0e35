import { medianCliMs } from './cliTimings';
import type { BenchContext } from './context';
import { firstTaskTimes } from './firstTask';
import { OPENING_IN_FLIGHT, openMany } from './openMany';
import type { BenchResult } from './report';
import { acknowledgeIncident } from '../client/incidents/incidentActions';
import type { incidentResponse } from '../workflows/incident/incidentResponse';
import { ms, percentile, timed } from './stats';
import { createCredential } from '../db/credentials/credentials';

/** `--burst N`: N distinct alerts at once; every incident should be paged within 60 s of its alert. */
export async function burst(ctx: BenchContext): Promise<BenchResult> {
  const n = ctx.options.burst!;
  const run = await openMany(ctx, n, 'burst', 'medium');
  try {
    // A person answering the last page of the burst, while the audit writes and checks of 2,000 incidents drain.
    const last = run.session.client.workflow.getHandle<typeof incidentResponse>(run.ids[run.ids.length - 1]);
    const ack = await timed(() => acknowledgeIncident(last, { actor: 'dana' }));
    const first = await firstTaskTimes(run.session.client, run.ids);
    const within60 = run.toPage.filter((x) => x <= 60_000).length;
    const metrics = {
      [`burst_${n}_last_page_s`]: run.lastPageS,
      [`burst_${n}_open_to_page_p50_ms`]: percentile(run.toPage, 50),
      [`burst_${n}_open_to_page_p99_ms`]: percentile(run.toPage, 99),
      [`burst_${n}_paged_within_60s`]: within60,
      [`burst_${n}_peak_rss_mb`]: run.peakRssMb(),
      [`burst_${n}_ack_last_ms`]: ack.ms,
      [`burst_${n}_first_task_queued_p50_ms`]: first.queuedP50,
      [`burst_${n}_first_task_queued_p99_ms`]: first.queuedP99,
      [`burst_${n}_first_task_worked_p50_ms`]: first.workedP50,
      [`burst_${n}_first_task_worked_p99_ms`]: first.workedP99,
    };
    return {
      name: `burst of ${n}`,
      setting: `dev server, ${n} distinct medium alerts to POST /alerts over HTTP, ${OPENING_IN_FLIGHT} in flight`,
      figures: [
        ['all opened after', ms(run.openedMs)],
        ['last page after the first alert', `${run.lastPageS.toFixed(1)} s`],
        ['alert → page p50 / p99', `${ms(percentile(run.toPage, 50))} / ${ms(percentile(run.toPage, 99))}`],
        ['paged within 60 s of the alert (goal: all)', `${within60} / ${n}`],
        ['acknowledging the last incident once all were paged', ms(ack.ms)],
        ['first task: queued p50 / p99 (100 sampled)', `${ms(first.queuedP50)} / ${ms(first.queuedP99)}`],
        ['first task: worked (page inside) p50 / p99', `${ms(first.workedP50)} / ${ms(first.workedP99)}`],
        ['bench process peak RSS (worker + client)', `${Math.round(run.peakRssMb())} MB`],
      ],
      metrics,
    };
  } finally {
    await run.close();
  }
}

/** `--open N`: N open incidents on one worker; its RSS, and the CLI's list and report with them all open. */
export async function manyOpen(ctx: BenchContext): Promise<BenchResult> {
  const n = ctx.options.open!;
  const run = await openMany(ctx, n, 'open', 'low');
  try {
    // Let the opening audit writes settle and the heap shrink back before reading the steady state.
    await new Promise((r) => setTimeout(r, 10_000));
    const rss = run.rssNowMb();
    // The CLI reads through the dbops API, as a person on the roster.
    const { secret } = await createCredential(ctx.db.pool, 'person', 'dana');
    const env = { DBOPS_API_URL: run.apiUrl, DBOPS_TOKEN: secret };
    // Five runs each: one run's figure swung between 0.7 and 1.6 s with the same code (the checks of 5,000 keep the
    // worker busy, and which of the newest 50 it still holds in its cache changes from run to run).
    const list = await medianCliMs(['incident', 'list'], env, 5);
    const report = await medianCliMs(['report'], env, 5);
    const metrics = {
      [`rss_${n}_open_mb`]: rss,
      [`peak_rss_${n}_open_mb`]: run.peakRssMb(),
      [`incident_list_${n}_ms`]: list.ms,
      [`incident_list_${n}_worst_ms`]: list.worstMs,
      [`report_${n}_ms`]: report.ms,
      [`report_${n}_worst_ms`]: report.worstMs,
    };
    return {
      name: `${n} open incidents`,
      setting: `dev server, ${n} low incidents (alerts to POST /alerts) open on one worker; built CLI`,
      figures: [
        ['bench process RSS, all open (goal < 1 GiB)', `${Math.round(rss)} MB (peak ${Math.round(run.peakRssMb())} MB)`],
        [
          'dbops incident list, newest 50 and the count (goal < 1 s): median / worst of 5',
          `${ms(list.ms)} / ${ms(list.worstMs)} (${list.lines} lines)`,
        ],
        ['dbops report (goal < 1 s): median / worst of 5', `${ms(report.ms)} / ${ms(report.worstMs)}`],
        ['all paged after', `${run.lastPageS.toFixed(1)} s`],
      ],
      notes: ['RSS is the bench process: the worker runs in it, beside a Temporal client and the bench itself'],
      metrics,
    };
  } finally {
    await run.close();
  }
}
