import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../../dev/scratchDatabase';
import { startFastIncident } from './fastIncident';
import { incidentIdOf } from './incidentRun';
import { startWebhookReceiver, type WebhookReceiver } from './webhookReceiver';
import { spawnWorker, type WorkerProcess } from './workerProcess';

export interface FaultRun {
  /** The run's own scratch database: one run's audit rows and outbox never meet another's. */
  db: ScratchDatabase;
  /** The run's own webhook: pages of one run are never counted for another. */
  receiver: WebhookReceiver;
  taskQueue: string;
  /** The environment a worker process of this run gets, with `extra` on top. */
  workerEnv(extra?: Record<string, string>): Record<string, string>;
  startWorker(extra?: Record<string, string>): WorkerProcess;
  /** Starts a fast-clock incident on the run's queue and waits until a worker runs it (its id comes from its state). */
  openFastIncident(
    o: Parameters<typeof startFastIncident>[2],
  ): Promise<{ handle: Awaited<ReturnType<typeof startFastIncident>>; incidentId: string }>;
  /** Kills the run's workers still running and drops its database. */
  close(): Promise<void>;
}

/** The fault workers’ outbox claim: longer than the slowest channel’s 10 s timeout plus the outbox’s 5 s margin. */
export const FAULT_OUTBOX_LEASE_SECONDS = 20;

/**
 * One fault file's real parts: a client of the dev server (the run's, or `temporalAddress`).
 * Each run gets its own database (on the run's PostgreSQL, or `postgresUrl`), webhook receiver and task queue, and starts its worker
 * processes itself. Options are read when the block starts, so they may depend on earlier beforeAll hooks.
 */
export function faultSuite(name: string, options: () => { temporalAddress?: string; postgresUrl?: string } = () => ({})) {
  const temporalAddress = () => options().temporalAddress ?? inject('devServerAddress');
  const suite = {
    client: undefined as unknown as Client,
    async startRun(n: number, extra: Record<string, string> = {}): Promise<FaultRun> {
      const [db, receiver] = await Promise.all([
        createScratchDatabase(options().postgresUrl ?? inject('databaseUrl'), `fault_${name}_${n}`),
        startWebhookReceiver(),
      ]);
      const workers: WorkerProcess[] = [];
      const run: FaultRun = {
        db,
        receiver,
        taskQueue: `fault-${name}-${n}-${Date.now()}`,
        workerEnv: (more = {}) => ({
          TEMPORAL_ADDRESS: temporalAddress(),
          TEMPORAL_TASK_QUEUE: run.taskQueue,
          DATABASE_URL: db.url,
          DBOPS_WEBHOOK_URL: receiver.url,
          // The run's one workflow bundle, as production workers start from `npm run build`'s: a worker (and each one
          // that replaces a killed one) polls in a second or two instead of bundling the workflows first.
          DBOPS_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
          // A page whose worker was killed mid-send is sent again once its claim runs out, at the next flush: the
          // same path as the defaults (60 s, every 10 s), shortened so a run does not wait 70 s for it.
          DBOPS_OUTBOX_LEASE_SECONDS: String(FAULT_OUTBOX_LEASE_SECONDS),
          DBOPS_OUTBOX_FLUSH_SECONDS: '2',
          ...extra,
          ...more,
        }),
        startWorker(more = {}) {
          const worker = spawnWorker(run.workerEnv(more));
          workers.push(worker);
          return worker;
        },
        async openFastIncident(o) {
          const handle = await startFastIncident(suite.client, run.taskQueue, o);
          return { handle, incidentId: await incidentIdOf(handle) };
        },
        async close() {
          await Promise.all(workers.map((w) => w.kill9()));
          await receiver.close();
          await db.drop();
        },
      };
      return run;
    },
  };
  let connection: Connection | undefined;
  beforeAll(async () => {
    connection = await Connection.connect({ address: temporalAddress() });
    suite.client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
  });
  return suite;
}
