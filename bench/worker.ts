import type { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { DEFAULT_THRESHOLDS } from '../activities/checks/databaseChecks';
import type { NotificationChannel } from '../activities/notify/channels';
import { createOutbox } from '../activities/notify/outbox';
import path from 'node:path';
import { overridesInForce } from '../activities/notify/overridesInForce';
import { createLogger } from '../lib/logger';
import { readSchedulesFile, type SchedulesInForce } from '../lib/schedules';
import { roster } from './context';
import { closeTierPools, createTierPools } from '../lib/tierPools';
import { createDbopsWorker, type WorkerTuning } from '../workers/createWorker';
import type { ScratchDatabase } from '../dev/scratchDatabase';

const schedules: SchedulesInForce = readSchedulesFile(path.resolve(__dirname, '../config/schedules.example.json'), roster);

/** Notifications are accepted and dropped: delivering them is not what these benchmarks measure. */
const discardChannel: NotificationChannel = { name: 'discard', deliver: async () => undefined };

/**
 * A real worker with the real activities on the scratch database (audit writes and the runbook's SQL checks),
 * on its own task queue so one benchmark's leftover work never lands in another's figures.
 */
export async function startBenchWorker(o: {
  connection: NativeConnection;
  db: ScratchDatabase;
  taskQueue: string;
  workflowBundlePath: string;
  namespace?: string;
  /** Where notifications go (default: dropped). */
  channel?: NotificationChannel;
  tuning?: WorkerTuning;
}) {
  const channel = o.channel ?? discardChannel;
  const tierPools = createTierPools({}, o.db.url);
  const activities = createActivities({
    auditPool: o.db.pool,
    tierPools,
    channels: [channel],
    outbox: createOutbox({ pool: o.db.pool, channels: [channel] }),
    logger: createLogger({ level: 'silent' }),
    failover: {},
    thresholds: DEFAULT_THRESHOLDS,
    allowedCidrs: ['127.0.0.0/8', '::1/128'],
    // Pages resolve their roles as production's do: the roster, the example's on-call schedule (a weekly rotation and a
    // business-hours layer) and the overrides in the store, one query a page.
    currentRoster: () => ({ roster, version: 'bench' }),
    currentSchedules: () => schedules,
    overridesAt: overridesInForce(o.db.pool),
    // Only daily checklists open incidents from activities; no benchmark runs one.
    openIncident: async () => {
      throw new Error('benchmarks do not run checklists');
    },
  });
  const worker = await createDbopsWorker({
    connection: o.connection,
    namespace: o.namespace ?? 'default',
    taskQueue: o.taskQueue,
    activities,
    workflowBundlePath: o.workflowBundlePath,
    tuning: o.tuning,
  });
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await closeTierPools(tierPools);
    },
  };
}
