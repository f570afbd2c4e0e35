/** The dbops API as its own process (production): alerts from integrations, every action of people. */
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { loadConfig } from '../../lib/config';
import { consoleSettingsFromEnv } from '../console/consoleSettings';
import { createLogger } from '../../lib/logger';
import { rosterInForce } from '../../lib/rosterInForce';
import { routingFromConfig, runbookFromConfig } from '../../lib/runbookFile';
import { registerIntakeKey, sealSigningKeysWithCurrentKey } from './intakeKey';
import { abandonedWorkSettled } from './deadline';
import { createApiApp } from './app';
import { closeIntake, startIntake } from './listen';
import { schedulesInForce } from '../../lib/schedules';
import { withOperations } from './operations';

async function main() {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: 'dbops-intake' });
  const consoleSettings = consoleSettingsFromEnv(process.env, (file) => fs.readFileSync(file, 'utf8'));
  // A runbook file that does not validate stops the start, every problem with its line and column.
  const runbook = runbookFromConfig(config, log);
  const routing = routingFromConfig(config, runbook);
  if (!config.temporal.address) throw new Error('the intake needs TEMPORAL_ADDRESS');
  if (!config.databaseUrl) throw new Error('the intake needs DATABASE_URL (credentials are kept in the audit store)');
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const pool = new Pool({ connectionString: config.databaseUrl, max: 5, application_name: 'dbops-api', connectionTimeoutMillis: 5000 });
  pool.on('error', (err) => log.warn({ err: err.message }, 'audit store connection lost; reconnecting on next use'));
  if (config.intakeKey) await registerIntakeKey(pool, config.intakeKey, log, config.secretKeys);
  if (config.secretKeys) await sealSigningKeysWithCurrentKey(pool, config.secretKeys, log);
  else log.warn('DBOPS_SECRET_KEY is not set: signed alerts are refused (bearer keys work)');
  // The roster's roles are the runbook in force's (a runbook file may add roles).
  const roster = rosterInForce(config.rosterPath, log, () => runbook().roles);
  const app = withOperations(
    createApiApp(
      {
        client,
        taskQueue: config.temporal.taskQueue,
        roster,
        schedules: schedulesInForce(config.schedulesPath, roster, log, () => runbook().roles),
        calendar: config.calendar,
        runbook,
        pool,
        rateLimitPerMinute: config.rateLimitPerMinute,
        drillOverdueDays: config.drillOverdueDays,
        deadlineMs: config.apiDeadlineMs,
        secretKeys: config.secretKeys,
        routing,
        pageLinkSecret: config.pageLinks?.secret,
        publicUrl: config.pageLinks?.publicUrl ?? config.publicUrl,
        console: consoleSettings,
      },
      log,
    ),
    { connection, pool },
  );
  const server = await startIntake(app, config.intakePort, config.intakeHost, config.tls);
  log.info({ port: config.intakePort, host: config.intakeHost, tls: Boolean(config.tls) }, 'dbops API listening');
  // Requests in flight are answered before the connections they need close; those answered 503 at their deadline may
  // still have a Temporal retry scheduled: they end first too.
  const stop = async () => {
    await closeIntake(server);
    await abandonedWorkSettled();
    await connection.close();
    await pool.end();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(`dbops intake: ${err?.message ?? err}`);
  process.exit(1);
});
