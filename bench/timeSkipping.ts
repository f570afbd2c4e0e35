import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openIncident } from '../client/incidents/openIncident';
import { registerSearchAttributes } from '../client/temporal/registerSearchAttributes';
import { incidentStateQuery, resolveUpdate } from '../workflows/incident/messages';
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
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: ctx.stack.testServerPath } },
    });
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    return env;
  });
  const env = startup.value;
  const taskQueue = 'bench-time-skipping';
  const worker = await startBenchWorker({
    connection: env.nativeConnection,
    db: ctx.db,
    taskQueue,
    workflowBundlePath: ctx.stack.workflowBundlePath,
  });
  const wall: number[] = [];
  const simulated: number[] = [];
  const resultJump: number[] = [];
  let escalated = 0;
  try {
    for (let i = 0; i < N; i++) {
      let simOpened = 0;
      let simResolved = 0;
      const run = await timed(async () => {
        simOpened = await env.currentTimeMs();
        const { handle } = await openIncident(
          { client: env.client, taskQueue, roster, calendar },
          { type: 'performance-degradation', tier: 'olap', severity: 'medium', fingerprint: uniqueFingerprint('ts') },
        );
        await env.sleep('1 hour');
        const state = await handle.query(incidentStateQuery);
        if (state.escalation.responseMissed && state.escalation.level >= 1) escalated++;
        await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'benchmark' }] });
        simResolved = await env.currentTimeMs();
        await handle.result();
      });
      wall.push(run.ms);
      simulated.push(simResolved - simOpened);
      // Measured apart: awaiting result() moves the test server's clock much further than the incident needs.
      resultJump.push((await env.currentTimeMs()) - simResolved);
    }
  } finally {
    await worker.stop();
    await env.teardown();
  }
  const days = (x: number) => `${(x / 86_400_000).toFixed(1)} days`;
  return {
    name: 'time-skipping: 1 h SLA',
    setting: `Java test server, N=${N}`,
    figures: [
      ['wall median', ms(median(wall))],
      ['wall max', ms(max(wall))],
      [
        'simulated open→resolve (median)',
        `${Math.round(median(simulated)).toLocaleString('en-US')} ms (${(median(simulated) / 60_000).toFixed(2)} min)`,
      ],
      ['clock jump in result() (median)', days(median(resultJump))],
      ['SLA missed + escalated', `${escalated}/${N} runs`],
      ['server start (once)', ms(startup.ms)],
    ],
    notes: [
      `wall per run: ${wall.map((w) => Math.round(w)).join(', ')} ms (the first includes worker and JIT warm-up)`,
      `awaiting result() of the already-resolved incident advanced the server clock by ${resultJump.map(days).join(', ')}: the env's clock is not "now" afterwards`,
    ],
  };
}
