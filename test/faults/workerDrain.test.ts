import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultSuite } from './support/faultSuite';
import { acknowledgeAndResolve, expectLadderClimbing, expectRunIntact } from './support/incidentRun';
import { startStatusGate } from './support/statusGate';
import { FAULT_RUNS } from './support/waitFor';

const CADENCE_SECONDS = 3;
const STEP_HOLD_MS = 2000;

describe('fault: SIGTERM while a worker process is working', () => {
  let status: Awaited<ReturnType<typeof startStatusGate>>;
  const f = faultSuite('drain');
  beforeAll(async () => {
    status = await startStatusGate();
  });
  afterAll(() => status?.close());

  for (let n = 1; n <= FAULT_RUNS; n++) {
    it(`run ${n}: the worker drains its running step before it exits, and a new worker carries on`, async () => {
      const run = await f.startRun(n, { DBOPS_ADMIN_STATUS_URL: status.url });
      try {
        const first = run.startWorker();
        await first.ready;
        status.hold = STEP_HOLD_MS;
        status.requests = status.answered = 0;
        const stepStarted = status.nextRequest();
        const { handle, incidentId } = await run.openFastIncident({
          type: 'database-outage',
          fingerprint: `drain-${n}`,
          cadenceSeconds: CADENCE_SECONDS,
        });
        await stepStarted;
        const stopping = first.terminate();
        const second = run.startWorker();
        const stopped = await stopping;
        // Drained: the worker waited for the admin panel's answer, exited cleanly, and nobody had to retry the step.
        expect({ exit: stopped.code, signal: stopped.signal, answered: status.answered }, first.output()).toEqual({
          exit: 0,
          signal: null,
          answered: 1,
        });
        await second.ready;
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 2);

        const final = await acknowledgeAndResolve(handle, run.db.pool, run.receiver);
        await expectRunIntact(run.db.pool, run.receiver, final);
        expect(final.steps.find((s) => s.id === 'check-service-status')).toMatchObject({ status: 'succeeded', outcome: 'pass' });
        expect(status.requests, 'requests of the step drained at SIGTERM (a second one is a retry of a cut step)').toBe(1);
      } finally {
        await run.close();
      }
    });
  }
});
