import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../dev/provision/postgres';
import { freePort } from '../../dev/provision/processes';
import { createLogger } from '../../lib/logger';
import { faultSuite } from './support/faultSuite';
import { acknowledgeAndResolve, expectLadderClimbing, expectRunIntact } from './support/incidentRun';
import { FAULT_RUNS, sleep } from './support/waitFor';

const CADENCE_SECONDS = 3;
const OUTAGE_SECONDS = 10;

describe('fault: the audit PostgreSQL unavailable for a while during an escalation', () => {
  // A PostgreSQL of this file's own: the run's shared one must stay up for every other test file.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-fault-pg-'));
  const log = createLogger({ level: 'silent' });
  let port: number;
  let postgres: RunningPostgres | undefined;
  const startPostgres = async () => {
    postgres = await startEmbeddedPostgres({ dir, log, port, persistent: true, settings: { fsync: 'off' } });
  };
  beforeAll(async () => {
    fs.chmodSync(dir, 0o755); // as root the server runs as a 'postgres' user that must reach its data
    port = await freePort();
    await startPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const f = faultSuite('auditdown', () => ({ postgresUrl: postgres!.url }));

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

        await postgres!.stop();
        const down = Date.now();
        await sleep(OUTAGE_SECONDS * 1000);
        const pagedWhileDown = run.receiver.of(incidentId).filter((d) => d.at >= down).length;
        await startPostgres();
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
