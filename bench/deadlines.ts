import { openIncident } from '../client/incidents/openIncident';
import { inFlight } from './concurrency';
import { calendar, roster, uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import { alertTitle, pageRecorder } from './pageRecorder';
import type { BenchResult } from './report';
import { max, ms, percentile } from './stats';

const INCIDENTS = 300;
const SLA_MS = 5 * 60_000; // database-outage, critical
const FIRST_DUE_MS = 40_000;
const SPREAD_MS = 60_000;

/**
 * Deadline lateness: INCIDENTS critical incidents whose alerts were received (receivedAt, as the intake stamps it)
 * so long ago that their 5-minute deadlines all fall within one minute, starting FIRST_DUE_MS from now. Lateness
 * is the escalation's delivery time minus the true deadline (alert received + SLA).
 */
export async function deadlines(ctx: BenchContext): Promise<BenchResult> {
  const recorder = pageRecorder();
  const session = await devServerSession(ctx, `bench-deadlines-${Date.now()}`, { channel: recorder.channel });
  const start = Date.now();
  const alerts = Array.from({ length: INCIDENTS }, (_, i) => {
    const due = start + FIRST_DUE_MS + Math.floor((i / INCIDENTS) * SPREAD_MS);
    return { key: uniqueFingerprint('due'), due, receivedAt: due - SLA_MS };
  });
  const lateness: number[] = [];
  let missing = 0;
  try {
    const octx = { client: session.client, taskQueue: session.taskQueue, roster, calendar };
    const ids = await inFlight(20, alerts, async (a) => {
      const request = {
        type: 'database-outage',
        tier: 'queue',
        severity: 'critical',
        fingerprint: a.key,
        title: alertTitle(a.key),
      } as const;
      return (await openIncident(octx, request, new Date(a.receivedAt))).workflowId;
    });
    const openedIn = Date.now() - start;
    const giveUpAt = start + FIRST_DUE_MS + SPREAD_MS + 120_000;
    for (const a of alerts) {
      const at = await Promise.race([
        recorder.waitFor('escalation', a.key),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), Math.max(0, giveUpAt - Date.now()))),
      ]);
      if (at === undefined) missing++;
      else lateness.push(at - a.due);
    }
    await inFlight(20, ids, (id) => session.client.workflow.getHandle(id).terminate('benchmark over'));
    const metrics = {
      deadline_lateness_p50_ms: percentile(lateness, 50),
      deadline_lateness_p99_ms: percentile(lateness, 99),
      deadline_lateness_max_ms: max(lateness),
      deadlines_missed_escalation: missing,
    };
    return {
      name: 'deadline lateness',
      setting: `dev server, ${INCIDENTS} critical incidents due within ${SPREAD_MS / 1000} s, clocks from receivedAt`,
      figures: [
        [
          'escalation after the true deadline p50 / p99 / max (goal p99 ≤ 2 s)',
          `${ms(metrics.deadline_lateness_p50_ms)} / ${ms(metrics.deadline_lateness_p99_ms)} / ${ms(metrics.deadline_lateness_max_ms)}`,
        ],
        ['incidents not escalated within 2 min of their deadline', String(missing)],
        ['all opened after', ms(openedIn)],
      ],
      notes: ['each opens with three pages (critical pages the whole ladder) and escalates once at its deadline'],
      metrics,
    };
  } finally {
    await session.close();
  }
}
