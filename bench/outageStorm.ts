import { incidentStateQuery } from '../workflows/incident/messages';
import { inFlight } from './concurrency';
import { uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import { startBenchIntake } from './intake';
import { OPENING_IN_FLIGHT } from './openMany';
import { alertTitle, pageRecorder } from './pageRecorder';
import type { BenchResult } from './report';
import { max, ms, percentile } from './stats';

/**
 * `--outage-storm [N]`: the storm an oltp outage brings. The outage is open and paged; then N alerts on olap (which
 * depends on oltp) arrive 20 in flight through POST /alerts: half are symptoms (performance degradation) that join
 * the outage as related alerts instead of paging, half are problems of their own (data integrity) that open and page
 * their own incidents, so the worker is busy while the outage takes its related alerts. Reports how many alerts the
 * intake refused (503: its deadline passed while grouping waited on the outage), its answer time, and when the
 * outage had counted every related alert.
 */
export async function outageStorm(ctx: BenchContext): Promise<BenchResult> {
  const n = ctx.options.outageStorm!;
  const recorder = pageRecorder();
  const session = await devServerSession(ctx, `bench-outage-${Date.now()}`, { channel: recorder.channel });
  const intake = await startBenchIntake(ctx, session);
  const opened = new Set<string>();
  try {
    const outageKey = uniqueFingerprint('outage');
    const outage = await intake.post({
      type: 'database-outage',
      tier: 'oltp',
      severity: 'critical',
      fingerprint: outageKey,
      title: alertTitle(outageKey),
    });
    if (outage.status !== 202 || !outage.workflowId) throw new Error(`the intake answered ${outage.status} to the outage`);
    opened.add(outage.workflowId);
    await recorder.waitFor('page', outageKey);

    const first = Date.now();
    const answers = await inFlight(OPENING_IN_FLIGHT, Array.from({ length: n }), async (_, i) => {
      const key = uniqueFingerprint('storm');
      const type = i % 2 ? 'data-integrity' : 'performance-degradation';
      const sentAt = Date.now();
      const a = await intake.post({ type, tier: 'olap', severity: 'low', fingerprint: key, title: alertTitle(key) });
      if (a.workflowId && a.workflowId !== outage.workflowId) opened.add(a.workflowId);
      return { key, status: a.status, answerMs: Date.now() - sentAt, grouped: a.workflowId === outage.workflowId };
    });
    const postedMs = Date.now() - first;
    const grouped = answers.filter((a) => a.grouped).length;
    const refused = answers.filter((a) => a.status !== 202).length;
    // The outage has taken every related alert in (its count), however they were sent.
    const handle = session.client.workflow.getHandle(outage.workflowId);
    let counted = 0;
    for (;;) {
      counted = (await handle.query(incidentStateQuery).catch(() => undefined))?.related?.count ?? counted;
      if (counted >= grouped) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const allCountedS = (Date.now() - first) / 1000;
    const own = answers.filter((a) => a.status === 202 && !a.grouped);
    const pagedAt = await Promise.all(own.map((a) => recorder.waitFor('page', a.key)));
    const answerMs = answers.map((a) => a.answerMs);
    const metrics = {
      [`outage_storm_${n}_grouped`]: grouped,
      [`outage_storm_${n}_refused`]: refused,
      [`outage_storm_${n}_answer_p50_ms`]: percentile(answerMs, 50),
      [`outage_storm_${n}_answer_p99_ms`]: percentile(answerMs, 99),
      [`outage_storm_${n}_all_counted_s`]: allCountedS,
      [`outage_storm_${n}_last_own_page_s`]: (max(pagedAt) - first) / 1000,
    };
    return {
      name: `outage storm of ${n}`,
      setting: `dev server, an oltp outage open, then ${n} low alerts on olap (half symptoms, half their own problems), ${OPENING_IN_FLIGHT} in flight, to POST /alerts over HTTP`,
      figures: [
        ['all posted after', ms(postedMs)],
        ['grouped into the outage (goal: every symptom)', `${grouped} / ${n / 2}`],
        ['refused by the intake (503; goal: none)', `${refused} / ${n}`],
        ['intake answer p50 / p99', `${ms(percentile(answerMs, 50))} / ${ms(percentile(answerMs, 99))}`],
        ['outage counted every related alert after', `${allCountedS.toFixed(1)} s`],
        ['last page of the others after the first alert', `${((max(pagedAt) - first) / 1000).toFixed(1)} s`],
      ],
      metrics,
    };
  } finally {
    intake.close();
    await inFlight(OPENING_IN_FLIGHT, [...opened], (id) =>
      session.client.workflow
        .getHandle(id)
        .terminate('benchmark over')
        .catch(() => undefined),
    );
    await session.close();
  }
}
