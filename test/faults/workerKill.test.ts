import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNoteUpdate, incidentStateQuery } from '../../workflows/incident/messages';
import { faultSuite } from './support/faultSuite';
import { acknowledgeAndResolve, expectLadderClimbing, expectRunIntact } from './support/incidentRun';
import { startStatusGate } from './support/statusGate';
import { FAULT_RUNS, sleep } from './support/waitFor';

const CADENCE_SECONDS = 3;

describe('fault: a worker process killed with SIGKILL, and a new one takes over', () => {
  let status: Awaited<ReturnType<typeof startStatusGate>>;
  const f = faultSuite('kill');
  beforeAll(async () => {
    status = await startStatusGate();
  });
  afterAll(() => status?.close());

  for (let n = 1; n <= FAULT_RUNS; n++) {
    it(`run ${n}: killed during an automated step, between a deadline and its page, and during an Update`, async () => {
      const run = await f.startRun(n, { DBOPS_ADMIN_STATUS_URL: status.url });
      try {
        let worker = run.startWorker();
        const killedAt: number[] = [];
        const replaceWorker = async () => {
          killedAt.push(Date.now());
          await worker.kill9();
          worker = run.startWorker();
          await worker.ready;
        };
        await worker.ready;
        status.hold = 'forever';
        const stepStarted = status.nextRequest();
        const { handle, incidentId } = await run.openFastIncident({
          type: 'database-outage',
          fingerprint: `kill-${n}`,
          cadenceSeconds: CADENCE_SECONDS,
        });

        // 1. During an automated step: the admin panel holds the step's request while the worker dies.
        await stepStarted;
        status.hold = 0;
        await replaceWorker();
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 1);

        // 2. Between a deadline and its page: the worker dies the moment the next rung is due.
        const { escalation } = await handle.query(incidentStateQuery);
        await sleep(Date.parse(escalation.nextEscalationAt!) - Date.now());
        await replaceWorker();
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 1);

        // 3. During an Update: a note is on its way to the worker when it dies; the new worker completes it.
        const note = handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: `written while the worker died (${n})` }] });
        await sleep(20);
        await replaceWorker();
        await note;
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 2);

        const final = await acknowledgeAndResolve(handle, run.db.pool, run.receiver);
        const events = await expectRunIntact(run.db.pool, run.receiver, final, { killedAt });
        expect(events.filter((e) => e.kind === 'note')).toHaveLength(1);
        expect(final.steps.find((s) => s.id === 'check-service-status')).toMatchObject({ status: 'succeeded', outcome: 'pass' });
      } finally {
        await run.close();
      }
    });
  }
});
