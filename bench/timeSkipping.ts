import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openIncident } from '../client/openIncident';
import { registerSearchAttributes } from '../lib/registerSearchAttributes';
import { incidentStateQuery, resolveUpdate } from '../workflows/incidentDefinitions';
import { calendar, roster, uniqueFingerprint, type BenchContext } from './context';
import type { BenchResult } from './report';
import { max, median, ms, timed } from './stats';
import { startBenchWorker } from './worker';

const N = 5;

/**
 * How long, in wall-clock time, an incident whose 1-hour SLA passes takes on the Java time-skipping server:
 * open a performance-degradation incident, skip an hour, read its state, resolve it, wait for it to finish.
 */
export async function timeSkipping(ctx: BenchContext): Promise<BenchResult> {
  const startup = await timed(async () => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: ctx.stack.testServerPath } } });
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  });
  const env = startup.value;
  const taskQueue = 'bench-time-skipping';
  const worker = await startBenchWorker({ connection: env.nativeConnection, db: ctx.db, taskQueue, workflowBundlePath: ctx.stack.workflowBundlePath });
  const wall: number[] = [];
  const simulated: number[] = [];
  const escalated: boolean[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const simStart = await env.currentTimeMs();
      const run = await timed(async () => {
        const { handle } = await openIncident(
          { client: env.client, taskQueue, roster, calendar },
          { type: 'performance-degradation', tier: 'olap', severity: 'medium', fingerprint: uniqueFingerprint('ts') },
        );
        await env.sleep('1 hour');
        const state = await handle.query(incidentStateQuery);
        await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'benchmark' }] });
        await handle.result();
        return state;
      });
      wall.push(run.ms);
      simulated.push((await env.currentTimeMs()) - simStart);
      escalated.push(run.value.escalation.responseMissed && run.value.escalation.level >= 1);
    }
  } finally {
    await worker.stop();
    await env.teardown();
  }
  return {
    name: 'time-skipping: 1 h SLA',
    setting: `Java test server, N=${N}`,
    figures: [
      ['wall median', ms(median(wall))],
      ['wall max', ms(max(wall))],
      ['simulated per run (median)', `${(median(simulated) / 60_000).toFixed(1)} min (${Math.round(median(simulated)).toLocaleString('en-US')} ms)`],
      ['SLA missed + escalated', `${escalated.filter(Boolean).length}/${N} runs`],
      ['server start (once)', ms(startup.ms)],
    ],
    notes: [`wall per run: ${wall.map((w) => Math.round(w)).join(', ')} ms (first run includes worker warm-up)`],
  };
}
