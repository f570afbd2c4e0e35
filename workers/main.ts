/**
 * The production worker process: connects to the Temporal server at TEMPORAL_ADDRESS and the audit store at
 * DATABASE_URL (both required here; `npm start` is the all-in-one local alternative), applies migrations, runs
 * until SIGINT/SIGTERM, then drains in-flight activities and exits.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { Pool } from 'pg';
import { migrate } from '../db/migrate';
import { buildActivities } from './activityDependencies';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { loadCatalog } from '../lib/catalog';
import { runbookFromConfig } from '../lib/runbookFile';
import { loadRoster } from '../lib/roster';
import { createDbopsWorker } from './createWorker';
import { ensureHandoffWorkflow } from '../client/oncall/handoffWatch';
import { applyDrillSchedules } from '../client/drills/drillSchedules';
import { sdkLogger } from './sdkLogger';
import { freeLoopbackPort, startOpsServer } from './opsServer';

async function main() {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: 'dbops-worker' });
  if (!config.temporal.address || !config.databaseUrl) {
    throw new Error('the worker needs TEMPORAL_ADDRESS and DATABASE_URL (for a local all-in-one run use `npm start`)');
  }
  // Production runs the bundle built by `npm run build`: no webpack at start, and every worker runs the same code.
  if (!config.workflowBundle && process.env.NODE_ENV === 'production') {
    throw new Error(
      'NODE_ENV=production needs DBOPS_WORKFLOW_BUNDLE, the workflow bundle `npm run build` writes (dist/workflow-bundle.js)',
    );
  }
  // Worker and workflow metrics (task latencies, schedule-to-start, failures) from the SDK runtime, on loopback:
  // the ops endpoint at DBOPS_METRICS_ADDRESS serves them with dbops' own on /metrics.
  const sdkMetricsPort = config.metricsAddress ? await freeLoopbackPort() : undefined;
  Runtime.install({
    logger: sdkLogger(log, config.logLevel),
    ...(sdkMetricsPort ? { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}` } } } } : {}),
  });
  // A bad runbook edit stops the worker here, naming the line, column and field.
  const runbook = runbookFromConfig(config, log);
  loadCatalog({ ...config, runbook: runbook() });
  const pool = new Pool({ connectionString: config.databaseUrl });
  await migrate(pool);
  await pool.end();

  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Activities open incidents for breached checklist thresholds through an ordinary client.
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  const services = buildActivities(config, config.databaseUrl, log, {
    client,
    taskQueue: config.temporal.taskQueue,
    roster: loadRoster(config.rosterPath, runbook().roles),
    calendar: config.calendar,
    runbook,
  });
  const worker = await createDbopsWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: services.activities,
    ...(config.workerActivitiesPerSecond && { tuning: { maxActivitiesPerSecond: config.workerActivitiesPerSecond } }),
    workflowBundlePath: config.workflowBundle,
  });
  const ops = config.metricsAddress
    ? await startOpsServer({
        host: config.metricsAddress.slice(0, config.metricsAddress.lastIndexOf(':')),
        port: Number(config.metricsAddress.slice(config.metricsAddress.lastIndexOf(':') + 1)),
        worker: () => worker,
        connection: clientConnection,
        auditPool: services.auditPool,
        sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
        log,
      })
    : undefined;
  // Handoffs are told by one long-running workflow; each worker start makes sure it runs.
  await ensureHandoffWorkflow(client, config.temporal.taskQueue).then(
    ({ runId }) => log.info({ runId }, 'on-call handoff workflow running'),
    // Incidents come first: a worker runs them even when the handoff workflow cannot be started (the next start tries again).
    (err) => log.error({ error: (err as Error).message }, 'could not start the on-call handoff workflow: handoffs are not told'),
  );
  // The monthly drills (DBOPS_MONTHLY_DRILLS, off unless set): made to match the setting at each start.
  await applyDrillSchedules(client, config.monthlyDrills, { taskQueue: config.temporal.taskQueue, timeZone: config.timeZone }).then(
    (applied) => applied.length && log.info({ applied }, 'monthly drill schedules applied'),
    (err) => log.error({ error: (err as Error).message }, 'could not apply the monthly drill schedules: the next start tries again'),
  );
  log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker running');
  await worker.run();
  ops?.close();
  await connection.close();
  await clientConnection.close();
  await services.close();
  log.info('worker stopped');
}

main().catch((err) => {
  console.error(`dbops worker: ${err?.message ?? err}`);
  process.exit(1);
});
