/**
 * `npm start`: the whole service on one machine — PostgreSQL, Temporal, a worker and the alert intake — with a
 * demo incident to try the CLI on. Ctrl-C drains the worker and stops everything it started.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { seedDemoData } from './demoData';
import { createApiApp } from '../client/api/app';
import { closeIntake, startIntake } from '../client/api/listen';
import { consoleSettingsFromEnv } from '../client/console/consoleSettings';
import { openIncident } from '../client/incidents/openIncident';
import { applySchedules } from '../client/checklists/schedules';
import { retryServiceErrors } from '../client/temporal/retryServiceErrors';
import { applyDrillSchedules } from '../client/drills/drillSchedules';
import { ensureHandoffWorkflow } from '../client/oncall/handoffWatch';
import { buildActivities } from '../workers/activityDependencies';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { ProvisionError } from './provision/processes';
import { loadCatalog } from '../lib/catalog';
import { loadRoster } from '../lib/roster';
import { rosterInForce } from '../lib/rosterInForce';
import { schedulesInForce } from '../lib/schedules';
import { routingFromConfig, runbookFromConfig } from '../lib/runbookFile';
import { demoCredentials, demoSecretKeys, type DemoCredentials } from './demoCredentials';
import { demoOnCall } from './demoOnCall';
import { demoPagesOut } from './demoPages';
import { startStack, type Stack } from './stack';
import { buildWorkflowBundle } from '../workers/buildWorkflowBundle';
import { createDbopsWorker } from '../workers/createWorker';
import { sdkLogger } from '../workers/sdkLogger';

async function main() {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  Runtime.install({ logger: sdkLogger(log, config.logLevel) });
  // A bad routing file stops the start before anything runs, naming the rule and field.
  const runbook = runbookFromConfig(config, log);
  const roster = loadRoster(config.rosterPath, runbook().roles);
  const routing = routingFromConfig(config, runbook);
  const catalog = loadCatalog({ ...config, runbook: runbook() });
  const consoleSettings = consoleSettingsFromEnv(process.env, (file) => fs.readFileSync(file, 'utf8'));

  // The stop, in order: the intake stops taking requests (here, at once), the SDK's runtime drains the worker (on
  // SIGINT/SIGTERM), then `cleanups` close the connections and stop Temporal, and PostgreSQL last. The servers run in
  // process groups of their own, so the terminal's Ctrl-C reaches this process only. An interrupt during start-up
  // stops what has started. A second Ctrl-C (not the copy npm relays within the same moment) exits at once.
  let interruptedAt = 0;
  let stopTakingRequests: () => unknown = () => undefined;
  const onInterrupt = () => {
    const now = Date.now();
    if (!interruptedAt) {
      interruptedAt = now;
      log.info('shutting down: closing the intake, draining the worker, then stopping Temporal and PostgreSQL');
      stopTakingRequests();
    } else if (now - interruptedAt > 1000) {
      console.error('second interrupt: exiting now');
      process.exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);

  // Workflows are bundled (webpack, seconds) while the servers start, not after: a start after a crash is up sooner.
  const workflowBundle = config.workflowBundle
    ? Promise.resolve(config.workflowBundle)
    : buildWorkflowBundle(path.join(config.dataDir, 'workflow-bundle.js'));
  workflowBundle.catch(() => undefined); // awaited below, once the servers run
  const stack = await startStack(config, log);
  if (!config.databaseUrl && !config.allowedSuperusers) {
    // The embedded server runs dbops itself as its superuser 'postgres': that is the demo's setup, not an intrusion.
    config.allowedSuperusers = ['postgres'];
  }
  const cleanups: (() => unknown)[] = [() => stack.stop()];
  try {
    if (interruptedAt) return;
    // Demo rows, tokens, pages and the demo incident only on servers this command started: never into a DATABASE_URL
    // or a TEMPORAL_ADDRESS someone else runs (the demo incident would write its audit trail and page from there).
    const demo = stack.embeddedPostgres && stack.devServer;
    const demoPages = demo ? await demoPagesOut(config, log) : undefined;
    // The demo's on-call schedule and override, before the worker and the API read config.schedulesPath.
    const onCallBanner = demo ? await withPool(stack.databaseUrl, (pool) => demoOnCall(config, pool, roster, log)) : undefined;
    if (demoPages) cleanups.unshift(() => demoPages.close());
    const nativeConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    cleanups.unshift(() => nativeConnection.close());
    const connection = await Connection.connect({ address: stack.temporalAddress });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const ctx = { client, taskQueue: config.temporal.taskQueue, roster, calendar: config.calendar, runbook };
    // The secret key first: the worker signs each incident's chain head with it, the API opens signing keys with it.
    const secretKeys = demoSecretKeys(config, log);
    const services = buildActivities(config, stack.databaseUrl, log, ctx);
    cleanups.unshift(() => services.close());
    const worker = await createDbopsWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: services.activities,
      workflowBundlePath: await workflowBundle,
      ...(config.workerActivitiesPerSecond && { tuning: { maxActivitiesPerSecond: config.workerActivitiesPerSecond } }),
    });
    // Demo tokens only on the demo stack; the intake key always, generated if unset.
    const credentials = await demoCredentials(
      services.auditPool,
      config.dataDir,
      roster,
      { intakeKey: config.intakeKey, peopleTokens: demo, secretKeys },
      log,
    );
    const apiRoster = rosterInForce(config.rosterPath, log, () => runbook().roles);
    const api = {
      ...ctx,
      roster: apiRoster,
      schedules: schedulesInForce(config.schedulesPath, apiRoster, log, () => runbook().roles),
      pool: services.auditPool,
      rateLimitPerMinute: config.rateLimitPerMinute,
      drillOverdueDays: config.drillOverdueDays,
      routing,
      pageLinkSecret: config.pageLinks?.secret,
      publicUrl: config.pageLinks?.publicUrl ?? config.publicUrl,
      deadlineMs: config.apiDeadlineMs,
      secretKeys: config.secretKeys,
      console: { temporalUiUrl: stack.uiUrl, ...consoleSettings },
    };
    const intake = await startIntake(createApiApp(api, log), config.intakePort, config.intakeHost, config.tls);
    // Requests already in flight finish (Temporal and the audit store are still up); new ones are refused.
    let intakeClosed: Promise<void> | undefined;
    stopTakingRequests = () => (intakeClosed ??= closeIntake(intake));
    cleanups.unshift(stopTakingRequests);
    if (interruptedAt) return;

    // A dev server that dies leaves the worker polling nothing: say so and stop, rather than run on silently.
    let failure: string | undefined;
    stack.onUnexpectedExit((reason) => {
      failure = reason;
      log.error(`${reason}; stopping dbops`);
      if (worker.getState() === 'RUNNING') worker.shutdown();
    });
    const running = worker.run();
    if (demo) {
      const demoPool = new Pool({ connectionString: stack.databaseUrl });
      await seedDemoData(demoPool);
      await demoPool.end();
    }
    const scheduled = await retryServiceErrors(
      'apply the daily checklist schedules',
      () =>
        applySchedules(client, {
          taskQueue: config.temporal.taskQueue,
          timeZone: config.timeZone,
          workdays: config.calendar.workdays,
          roster,
          definitions: catalog.checklists,
          runbook: runbook(),
        }),
      log,
    );
    log.info({ schedules: scheduled.map((r) => r.id), timeZone: config.timeZone }, 'daily checklist schedules applied');
    // The monthly drills (DBOPS_MONTHLY_DRILLS, off unless set), as the production worker applies them at its start.
    await applyDrillSchedules(client, config.monthlyDrills, { taskQueue: config.temporal.taskQueue, timeZone: config.timeZone }).then(
      (applied) => applied.length && log.info({ applied }, 'monthly drill schedules applied'),
      (err) => log.error({ error: (err as Error).message }, 'could not apply the monthly drill schedules'),
    );
    await ensureHandoffWorkflow(client, config.temporal.taskQueue).then(
      ({ runId }) => log.info({ runId }, 'on-call handoff workflow running'),
      // Incidents come first: a worker runs them even when the handoff workflow cannot be started (the next start tries again).
      (err) => log.error({ error: (err as Error).message }, 'could not start the on-call handoff workflow: handoffs are not told'),
    );
    const demoIncident = demo
      ? await openIncident(ctx, {
          type: 'performance-degradation',
          tier: 'olap',
          severity: 'medium',
          fingerprint: 'demo',
          title: 'Demo: slow dashboards on OLAP',
          by: 'demo',
        })
      : undefined;
    const consoleUrl = `${config.tls ? 'https' : 'http'}://127.0.0.1:${config.intakePort}/`;
    console.log(welcome(stack, config.intakePort, demoIncident?.workflowId, credentials, demoPages?.mailboxDir, onCallBanner, consoleUrl));
    await running;
    return failure ? 1 : 0;
  } finally {
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch((err) => log.error({ err }, 'cleanup step failed'));
    console.log('dbops stopped.');
  }
}

function welcome(
  stack: Stack,
  intakePort: number,
  demoWorkflowId: string | undefined,
  credentials: DemoCredentials,
  mailboxDir: string | undefined,
  onCall: string | undefined,
  consoleUrl: string,
): string {
  const ref = demoWorkflowId ?? '<workflow id>';
  const tokenOf = (person: string) => credentials.tokens[person] ?? '<your personal token: dbops token create --person ID>';
  return `
dbops is running.
  Console         ${consoleUrl}   sign in with a personal token (dana's is the DBOPS_TOKEN below)
  Temporal UI     ${stack.uiUrl ?? '(external server: ' + stack.temporalAddress + ')'}
  Temporal gRPC   ${stack.temporalAddress}
  Alert intake    http://127.0.0.1:${intakePort}/alerts
  Demo incident   ${demoWorkflowId ?? '(none: demo data only on the embedded PostgreSQL and dev server)'}
${onCall ?? ''}${mailboxDir ? `  Demo mailbox    ${mailboxDir}: every page mailed; each one's acknowledge link is printed here as it arrives\n                  (open it in a browser, tap the button: acknowledged as that person)\n` : ''}
Try, in another terminal:
  npm run dbops -- incident list
  npm run dbops -- incident show ${ref}
  export DBOPS_TOKEN=${tokenOf('dana')}   # dana; everyone's token is in ${credentials.file} (0600)
  npm run dbops -- incident ack ${ref}
  npm run dbops -- incident resolve ${ref} --summary "demo done"
  npm run dbops -- checklist run morning        (then: checklist show / sign / report)
  npm run dbops -- schedules list
  npm run dbops -- oncall                       (who is on call, until when; oncall schedule --role on-call-engineer)
  curl -X POST http://127.0.0.1:${intakePort}/alerts -H 'authorization: Bearer ${credentials.intakeKey}' -H 'content-type: application/json' -d '{"type":"connection-pool-exhaustion","tier":"oltp","fingerprint":"pool-a"}'
Ctrl-C stops everything.
`;
}

/** A short-lived pool of the audit store for one piece of setup. */
async function withPool<T>(url: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = new Pool({ connectionString: url });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

main().then(
  // Everything dbops started is stopped; do not wait on handles a library may keep open.
  (code) => process.exit(code ?? 0),
  (err) => {
    const message = err instanceof ProvisionError || err?.name === 'ConfigError' ? err.message : (err?.stack ?? String(err));
    console.error(`dbops could not start: ${message}`);
    process.exit(1);
  },
);
