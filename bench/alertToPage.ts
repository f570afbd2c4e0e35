import { openIncident } from '../client/incidents/openIncident';
import { bareAlert, bareTriggerSignal } from './baseline/bareWorkflow';
import { bareSession } from './baseline/bareSession';
import { inFlight } from './concurrency';
import { calendar, roster, uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import { alertTitle, pageRecorder } from './pageRecorder';
import type { BenchResult } from './report';
import { ms, percentile } from './stats';

const ALERTS = 100;
const IN_FLIGHT = 10;
const ROUNDS = 10;

/**
 * Alert → first page for dbops, beside alert → first activity for a bare Temporal workflow on the same dev server:
 * ALERTS distinct alerts, IN_FLIGHT outstanding at a time (each lane sends its next alert once its page arrived).
 * The two never run together: ROUNDS rounds, each the baseline's share of alerts, then dbops' share.
 */
export async function alertToPage(ctx: BenchContext): Promise<BenchResult> {
  const keys = (label: string, n: number) => Array.from({ length: n }, () => uniqueFingerprint(label));
  const bare = await bareSession(ctx, `bench-bare-${Date.now()}`);
  const recorder = pageRecorder();
  const session = await devServerSession(ctx, `bench-page-${Date.now()}`, { channel: recorder.channel });
  const octx = { client: session.client, taskQueue: session.taskQueue, roster, calendar };
  const opened: string[] = [];
  const bareMs: number[] = [];
  const dbopsMs: number[] = [];
  const bareRound = (n: number) =>
    inFlight(IN_FLIGHT, keys('bare', n), async (key) => {
      const t0 = Date.now();
      const activity = bare.firstActivity(key);
      await bare.client.workflow.signalWithStart(bareAlert, {
        workflowId: `bench-bare/${key}`,
        taskQueue: bare.taskQueue,
        args: [key],
        signal: bareTriggerSignal,
        signalArgs: [key],
      });
      return (await activity) - t0;
    });
  const dbopsRound = (n: number) =>
    inFlight(IN_FLIGHT, keys('page', n), async (key) => {
      const t0 = Date.now();
      const paged = recorder.waitFor('page', key);
      const { workflowId } = await openIncident(
        octx,
        { type: 'database-outage', tier: 'oltp', severity: 'high', fingerprint: key, title: alertTitle(key), source: 'webhook' },
        new Date(t0),
      );
      opened.push(workflowId);
      return (await paged) - t0;
    });
  try {
    // Rounds alternate (baseline, dbops, baseline, …): other work on the machine comes and goes, and would otherwise
    // land on one side of the ratio only. Each dbops round's incidents are ended before the next baseline round, so
    // their audit writes and checks do not run beside it.
    for (let round = 0; round < ROUNDS; round++) {
      bareMs.push(...(await bareRound(ALERTS / ROUNDS)));
      dbopsMs.push(...(await dbopsRound(ALERTS / ROUNDS)));
      await inFlight(20, opened.splice(0), (id) => session.client.workflow.getHandle(id).terminate('benchmark over'));
    }
  } finally {
    await session.close();
    await bare.close();
  }

  const p = (xs: number[], q: number) => percentile(xs, q);
  const metrics = {
    bare_alert_to_activity_p50_ms: p(bareMs, 50),
    bare_alert_to_activity_p99_ms: p(bareMs, 99),
    alert_to_page_p50_ms: p(dbopsMs, 50),
    alert_to_page_p99_ms: p(dbopsMs, 99),
    alert_to_page_p50_ratio: p(dbopsMs, 50) / p(bareMs, 50),
    alert_to_page_p99_ratio: p(dbopsMs, 99) / p(bareMs, 99),
  };
  return {
    name: 'alert → first page',
    setting: `dev server, ${ALERTS} distinct alerts each, ${IN_FLIGHT} in flight; ${ROUNDS} alternating rounds`,
    figures: [
      [
        'bare: alert → first activity p50 / p99',
        `${ms(metrics.bare_alert_to_activity_p50_ms)} / ${ms(metrics.bare_alert_to_activity_p99_ms)}`,
      ],
      ['dbops: alert → first page p50 / p99', `${ms(metrics.alert_to_page_p50_ms)} / ${ms(metrics.alert_to_page_p99_ms)}`],
      ['ratio p50 / p99 (goal ≤ 1.5)', `${metrics.alert_to_page_p50_ratio.toFixed(2)} / ${metrics.alert_to_page_p99_ratio.toFixed(2)}`],
    ],
    notes: [
      'a page is counted when the notify activity hands it to a channel (after its outbox row is written), the baseline when its activity starts',
    ],
    metrics,
  };
}
