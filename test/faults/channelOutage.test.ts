import { describe, expect, it } from 'vitest';
import { faultSuite } from './support/faultSuite';
import { acknowledgeAndResolve, expectLadderClimbing, expectPagesOnTime, expectRunIntact } from './support/incidentRun';
import { FAULT_RUNS, sleep } from './support/waitFor';

const CADENCE_SECONDS = 3;

describe('fault: the notification channel down, then slow (3 s), then back', () => {
  const f = faultSuite('channel');

  for (let n = 1; n <= FAULT_RUNS; n++) {
    it(`run ${n}: the ladder keeps its clock through the outage and every page is delivered once when the channel is back`, async () => {
      const run = await f.startRun(n);
      try {
        const worker = run.startWorker();
        await worker.ready;
        const { handle, incidentId } = await run.openFastIncident({
          type: 'data-integrity',
          fingerprint: `channel-${n}`,
          cadenceSeconds: CADENCE_SECONDS,
        });

        run.receiver.setMode({ kind: 'down' });
        await sleep(2.2 * CADENCE_SECONDS * 1000);
        expect(run.receiver.refused, 'pages tried while the channel was down').toBeGreaterThanOrEqual(2);
        run.receiver.setMode({ kind: 'slow', delayMs: 3000 });
        await sleep(2.2 * CADENCE_SECONDS * 1000);
        run.receiver.setMode({ kind: 'up' });
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 2, 4 * CADENCE_SECONDS * 1000);

        const final = await acknowledgeAndResolve(handle, run.db.pool, run.receiver);
        const events = await expectRunIntact(run.db.pool, run.receiver, final);
        expectPagesOnTime(events, CADENCE_SECONDS);
      } finally {
        await run.close();
      }
    });
  }
});
