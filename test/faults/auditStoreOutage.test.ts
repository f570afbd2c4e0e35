import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../dev/provision/postgres';
import { createLogger } from '../../lib/logger';
import { faultSuite } from './support/faultSuite';
import { restartableServer } from './support/restartableServer';
import { acknowledgeAndResolve, expectLadderClimbing, expectRunIntact } from './support/incidentRun';
import { FAULT_RUNS, sleep } from './support/waitFor';

const CADENCE_SECONDS = 3;
const OUTAGE_SECONDS = 10;

describe('fault: the audit PostgreSQL unavailable for a while during an escalation', () => {
  const log = createLogger({ level: 'silent' });
  const postgres = restartableServer('pg', {
    start: (dir, port): Promise<RunningPostgres> => startEmbeddedPostgres({ dir, log, port, persistent: true, settings: { fsync: 'off' } }),
    stop: (pg) => pg.stop(),
  });
  const f = faultSuite('auditdown', () => ({ postgresUrl: postgres.current.url }));

  for (let n = 1; n <= FAULT_RUNS; n++) {
    it(`run ${n}: pages go out on time while the audit store is down, and the audit is whole once it is back`, async () => {
      const run = await f.startRun(n);
      try {
        const worker = run.startWorker();
        await worker.ready;
        const { handle, incidentId } = await run.openFastIncident({
          type: 'data-integrity',
          fingerprint: `auditdown-${n}`,
          cadenceSeconds: CADENCE_SECONDS,
        });
        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 1);

        await postgres.current.stop();
        const down = Date.now();
        await sleep(OUTAGE_SECONDS * 1000);
        const pagedWhileDown = run.receiver.of(incidentId).filter((d) => d.at >= down).length;
        await postgres.start();
        // Soft: the audit and the pages are still checked when the ladder waited for the store.
        expect
          .soft(
            pagedWhileDown,
            `pages delivered during the ${OUTAGE_SECONDS} s the audit store was down (one due every ${CADENCE_SECONDS} s)`,
          )
          .toBeGreaterThanOrEqual(Math.floor(OUTAGE_SECONDS / CADENCE_SECONDS) - 1);

        await expectLadderClimbing(run.receiver, incidentId, Date.now(), 2);
        const final = await acknowledgeAndResolve(handle, run.db.pool, run.receiver);
        await expectRunIntact(run.db.pool, run.receiver, final);
      } finally {
        await run.close();
      }
    });
  }
});
