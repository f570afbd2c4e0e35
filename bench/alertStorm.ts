import { incidentStateQuery } from '../workflows/incident/messages';
import { inFlight } from './concurrency';
import { uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import { startBenchIntake } from './intake';
import type { BenchResult } from './report';
import { ms } from './stats';

const KEYS = 10;
const IN_FLIGHT = 20;

/**
 * `--storm N`: N alerts over 10 dedup keys posted to the real intake over HTTP (Node's fetch, 20 in flight), as a
 * monitoring tool in a flapping storm would. Reports alerts/s, what the intake answered, and what the incidents
 * counted: ideally 10 incidents that counted every alert, none dropped.
 */
export async function alertStorm(ctx: BenchContext): Promise<BenchResult> {
  const n = ctx.options.storm!;
  const session = await devServerSession(ctx, `bench-storm-${Date.now()}`);
  const intake = await startBenchIntake(ctx, session);
  const keys = Array.from({ length: KEYS }, () => uniqueFingerprint('storm'));
  const answers = new Map<string, number>();
  const workflowIds = new Set<string>();
  try {
    const started = Date.now();
    await inFlight(
      IN_FLIGHT,
      Array.from({ length: n }, (_, i) => keys[i % KEYS]),
      async (fingerprint) => {
        let status: string;
        try {
          const answer = await intake.post({ type: 'connection-pool-exhaustion', tier: 'queue', fingerprint, summary: 'pool at 98%' });
          status = String(answer.status);
          if (answer.workflowId) workflowIds.add(answer.workflowId);
        } catch (err) {
          status = `error: ${(err as Error).message}`;
        }
        answers.set(status, (answers.get(status) ?? 0) + 1);
      },
    );
    const sendMs = Date.now() - started;
    // Each 202 means the trigger is in the incident's history; the count is exact once the workflow applied them all.
    let counted = 0;
    for (let i = 0; i < 600; i++) {
      const states = await Promise.all([...workflowIds].map((id) => session.client.workflow.getHandle(id).query(incidentStateQuery)));
      counted = states.reduce((sum, s) => sum + s.triggerCount, 0);
      if (counted >= n) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const accepted = answers.get('202') ?? 0;
    const alertsPerSecond = n / (sendMs / 1000);
    await inFlight(IN_FLIGHT, [...workflowIds], (id) => session.client.workflow.getHandle(id).terminate('benchmark over'));
    return {
      name: `storm of ${n}`,
      setting: `dev server, ${n} alerts over ${KEYS} keys to POST /alerts over HTTP, ${IN_FLIGHT} in flight`,
      figures: [
        ['all answered after', ms(sendMs)],
        ['alerts per second', alertsPerSecond.toFixed(1)],
        ['answers', [...answers].map(([status, count]) => `${status}: ${count}`).join(', ')],
        ['incidents', String(workflowIds.size)],
        ['triggers counted by the incidents / accepted', `${counted} / ${accepted}`],
      ],
      metrics: {
        [`storm_${n}_alerts_per_s`]: alertsPerSecond,
        [`storm_${n}_incidents`]: workflowIds.size,
        [`storm_${n}_dropped`]: n - counted,
      },
    };
  } finally {
    intake.close();
    await session.close();
  }
}
