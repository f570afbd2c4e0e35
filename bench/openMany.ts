import type { Client } from '@temporalio/client';
import { inFlight } from './concurrency';
import { uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import { startBenchIntake } from './intake';
import { alertTitle, pageRecorder } from './pageRecorder';
import { max } from './stats';

export const OPENING_IN_FLIGHT = 20;
const MB = 2 ** 20;

/** An alert as a bench posts it to POST /alerts: its fingerprint is its key, its title names the key. */
export interface BenchAlert {
  type: string;
  tier: string;
  severity: string;
}

/** What a benchmark gets to post its own alerts in the middle of the storm, through the same intake and recorder. */
export interface MidStorm {
  client: Client;
  recorder: ReturnType<typeof pageRecorder>;
  /** Posts one alert under a fresh key (its incident is terminated with the storm's); resolves with the key once accepted. */
  post(alert: BenchAlert, label: string): Promise<{ key: string; sentAt: number; workflowId: string }>;
}

/**
 * Posts `count` distinct alerts at once to the real intake over HTTP (OPENING_IN_FLIGHT requests outstanding), on
 * one worker, and waits until each incident has paged. Returns per-alert post → page times and the process' peak
 * RSS while they were open. `midway` runs once half the alerts are posted, beside the rest; its result is awaited.
 */
export async function openMany<T = undefined>(
  ctx: BenchContext,
  count: number,
  label: string,
  severity: 'medium' | 'low',
  midway?: (storm: MidStorm) => Promise<T>,
) {
  const recorder = pageRecorder();
  const session = await devServerSession(ctx, `bench-${label}-${Date.now()}`, { channel: recorder.channel });
  const intake = await startBenchIntake(ctx, session);
  const opened: string[] = [];
  const post = async (alert: BenchAlert, keyLabel: string) => {
    const key = uniqueFingerprint(keyLabel);
    const sentAt = Date.now();
    const answer = await intake.post({ ...alert, fingerprint: key, title: alertTitle(key) });
    if (answer.status !== 202 || !answer.workflowId) throw new Error(`the intake answered ${answer.status} to alert ${key}`);
    opened.push(answer.workflowId);
    return { key, sentAt, workflowId: answer.workflowId };
  };
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  const first = Date.now();
  let besides: Promise<T> | undefined;
  const alerts = await inFlight(OPENING_IN_FLIGHT, Array.from({ length: count }), (_, i) => {
    if (i === Math.floor(count / 2) && midway) besides = midway({ client: session.client, recorder, post });
    return post({ type: 'performance-degradation', tier: 'olap', severity }, label);
  });
  const openedMs = Date.now() - first;
  const midwayResult = await besides;
  const pagedAt = await Promise.all(alerts.map((a) => recorder.waitFor('page', a.key)));
  const toPage = alerts.map((a, i) => pagedAt[i] - a.sentAt);
  const lastPageS = (max(pagedAt) - first) / 1000;
  return {
    session,
    /** The API the alerts went to: the CLI's reads go through it too. */
    apiUrl: intake.url,
    ids: alerts.map((a) => a.workflowId),
    toPage,
    openedMs,
    lastPageS,
    midway: midwayResult,
    rssNowMb: () => process.memoryUsage().rss / MB,
    peakRssMb: () => peakRss / MB,
    async close() {
      clearInterval(sampler);
      intake.close();
      await inFlight(OPENING_IN_FLIGHT, opened, (id) => session.client.workflow.getHandle(id).terminate('benchmark over'));
      await session.close();
    },
  };
}
