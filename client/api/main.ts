/** The alert intake as its own process (production): POST /alerts opens or joins an incident. */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { loadRoster } from '../../lib/roster';
import { createIntakeApp, startIntake } from './intake';
import { withOperations } from './operations';

async function main() {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: 'dbops-intake' });
  if (!config.temporal.address) throw new Error('the intake needs TEMPORAL_ADDRESS');
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = withOperations(
    createIntakeApp(
      { client, taskQueue: config.temporal.taskQueue, roster: loadRoster(config.rosterPath), calendar: config.calendar },
      log,
    ),
    { connection },
  );
  const server = await startIntake(app, config.intakePort, config.intakeHost);
  log.info({ port: config.intakePort }, 'alert intake listening');
  const stop = () => {
    server.close();
    void connection.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`dbops intake: ${err?.message ?? err}`);
  process.exit(1);
});
