/**
 * A dbops worker in a process of its own, so a test can kill it outright (SIGKILL), the way a crashed host dies:
 * no graceful shutdown, no last heartbeat. Started by `startWorkerProcess` with its settings in the environment;
 * prints "running" once it polls.
 */
import { createOutbox } from '../../activities/notify/outbox';
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Pool } from 'pg';
import { createActivities } from '../../activities';
import { DEFAULT_THRESHOLDS } from '../../activities/checks/databaseChecks';
import { createLogger } from '../../lib/logger';
import { createTierPools } from '../../lib/tierPools';
import { createDbopsWorker } from '../../workers/createWorker';

export interface WorkerProcessSettings {
  address: string;
  taskQueue: string;
  workflowBundlePath: string;
  databaseUrl: string;
  failoverCommand: string;
}

/** Starts the worker process and resolves once it polls its task queue. */
export async function startWorkerProcess(settings: WorkerProcessSettings): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    env: { ...process.env, DBOPS_WORKER_PROCESS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it ran`)));
    lines.on('line', (line) => line === 'running' && resolve());
  });
  return child;
}

async function main(settings: WorkerProcessSettings) {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const auditPool = new Pool({ connectionString: settings.databaseUrl, max: 4 });
  const logger = createLogger({ level: 'silent' });
  const activities = createActivities({
    auditPool,
    outbox: createOutbox({ pool: auditPool, channels: [], logger }),
    tierPools: createTierPools({}, settings.databaseUrl),
    channels: [],
    logger,
    failover: { command: settings.failoverCommand },
    thresholds: DEFAULT_THRESHOLDS,
    allowedCidrs: ['127.0.0.0/8', '::1/128'],
    openIncident: () => Promise.reject(new Error('this worker opens no incidents')),
  });
  const worker = await createDbopsWorker({
    connection: await NativeConnection.connect({ address: settings.address }),
    namespace: 'default',
    taskQueue: settings.taskQueue,
    activities,
    workflowBundlePath: settings.workflowBundlePath,
  });
  const running = worker.run();
  console.log('running');
  await running;
}

if (process.env.DBOPS_WORKER_PROCESS) {
  main(JSON.parse(process.env.DBOPS_WORKER_PROCESS) as WorkerProcessSettings).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
