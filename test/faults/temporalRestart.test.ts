import { describe, expect, it } from 'vitest';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { ownDevServer } from './support/devServerProcess';
import { faultSuite } from './support/faultSuite';
import { acknowledgeAndResolve, expectLadderClimbing, expectRunIntact } from './support/incidentRun';
import { FAULT_RUNS, sleep } from './support/waitFor';

const CADENCE_SECONDS = 3;
const DOWN_SECONDS = 6;

describe('fault: the Temporal server killed and restarted on its persisted state while timers are due', () => {
  const server = ownDevServer('temporal');
  const f = faultSuite('temporal', () => ({ temporalAddress: server.current.address }));

  for (let n = 1; n <= FAULT_RUNS; n++) {
    it(`run ${n}: timers that came due while the server was down fire after it is back, and the worker carries on`, async () => {
      const run = await f.startRun(n);
      try {
        const worker = run.startWorker();
        await worker.ready;
        const { handle, incidentId } = await run.openFastIncident({
          type: 'data-integrity',
          fingerprint: `temporal-${n}`,
          cadenceSeconds: CADENCE_SECONDS,
        });
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 1);

        // Killed just before the next rung is due; it stays down while two more come due.
        const { escalation } = await handle.query(incidentStateQuery);
        await sleep(Date.parse(escalation.nextEscalationAt!) - Date.now() - 200);
        await server.current.kill9();
        await sleep(DOWN_SECONDS * 1000);
        await server.start();

        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 2);
        expect(worker.exitedEarly(), `the worker died with the server:\n${worker.output()}`).toBe(false);
        const final = await acknowledgeAndResolve(handle, run.db.pool, run.receiver);
        await expectRunIntact(run.db.pool, run.receiver, final);
      } finally {
        await run.close();
      }
    });
  }
});
