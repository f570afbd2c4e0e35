import { openIncident } from '../client/incidents/openIncident';
import { acknowledgeUpdate, resolveUpdate } from '../workflows/incident/messages';
import { calendar, roster, uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import type { BenchResult } from './report';
import { max, ms, percentile, timed } from './stats';

const N = 30;

/**
 * What a responder waits for on the dev server: open (signal-with-start), acknowledge and resolve (Updates that
 * return once the workflow has written the audit event), for N incidents one after another.
 */
export async function incidentLatency(ctx: BenchContext): Promise<BenchResult> {
  const session = await devServerSession(ctx, `bench-latency-${Date.now()}`);
  const open: number[] = [];
  const ack: number[] = [];
  const resolve: number[] = [];
  try {
    const ctxOpen = { client: session.client, taskQueue: session.taskQueue, roster, calendar };
    for (let i = 0; i < N; i++) {
      const opened = await timed(() =>
        openIncident(ctxOpen, { type: 'performance-degradation', tier: 'olap', fingerprint: uniqueFingerprint('lat') }),
      );
      const { handle } = opened.value;
      const acked = await timed(() => handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] }));
      const resolved = await timed(() => handle.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'benchmark' }] }));
      // Let the incident finish before the next one, so each sample sees an idle worker.
      await handle.result();
      open.push(opened.ms);
      ack.push(acked.ms);
      resolve.push(resolved.ms);
    }
  } finally {
    await session.close();
  }
  const figures: [string, string][] = [];
  for (const [label, xs] of [
    ['open', open],
    ['ack', ack],
    ['resolve', resolve],
  ] as const) {
    figures.push([`${label} p50 / p95 / max`, `${ms(percentile(xs, 50))} / ${ms(percentile(xs, 95))} / ${ms(max(xs))}`]);
  }
  return {
    name: 'incident latency',
    setting: `dev server, in-memory store, N=${N} sequential`,
    figures,
    notes: [
      'ack is the first Update after open: it queues behind the opening audit writes (opened, paged), which the workflow chains in order',
      'the dev server runs without SQLite here (no --db-filename); `npm start` persists to SQLite and will be slower',
    ],
  };
}
