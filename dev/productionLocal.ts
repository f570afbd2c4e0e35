/**
 * `npm run production-local`: docker-compose.yml's shape on this machine, without Docker. The real Temporal server
 * on PostgreSQL (built once with Go), two dbops workers on the prebuilt workflow bundle and two alert intakes, each
 * (the server too) restarted if it dies. State under .dbops/production-local; Ctrl-C drains the workers and stops
 * everything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runtimeFile } from '../lib/runtime';
import { ProvisionError } from './provision/processes';
import { startProductionShape, type ProductionShape } from './productionShape';

async function main() {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: 'production-local' });
  // Set once everything runs; a signal during start-up stops what has started when start-up ends.
  const started: { shape?: ProductionShape } = {};
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    if (stopping) return;
    log.info('shutting down: draining the workers, then stopping Temporal and PostgreSQL');
    stopping = (started.shape?.stop() ?? Promise.resolve()).finally(() => fs.rmSync(runtimeFile(config), { force: true }));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const dir = path.join(config.dataDir, 'production-local');
  const shape = (started.shape = await startProductionShape({
    dir,
    cacheDir: config.cacheDir,
    log,
    workers: 2,
    apis: 2,
    adminUrl: config.databaseUrl,
    temporalPort: process.env.TEMPORAL_PORT ? config.temporal.port : undefined,
    intakePort: config.intakePort || undefined,
    serverPath: config.temporal.serverPath,
    sqlToolPath: config.temporal.sqlToolPath,
    env: { LOG_LEVEL: config.logLevel, DBOPS_ROSTER: config.rosterPath },
  }));
  if (stopping) return shape.stop(); // interrupted while starting: stop what has started
  // `npm run dbops` in another terminal finds these servers, as it finds `npm start`'s.
  fs.writeFileSync(
    runtimeFile(config),
    JSON.stringify({ temporalAddress: shape.temporal.address, databaseUrl: shape.databaseUrl, pid: process.pid }),
    {
      mode: 0o600,
    },
  );
  const rows = [
    ['Temporal server', `${shape.temporal.address} (gRPC; PostgreSQL databases temporal, temporal_visibility)`],
    ['Temporal metrics', shape.temporal.metricsUrl],
    ['Temporal UI', 'not started: the real server has no built-in UI (docker-compose runs temporalio/ui)'],
    ['Audit store', 'database dbops on the same PostgreSQL'],
    ...shape.workers.map((w) => [w.name, `${w.url}/metrics  /healthz  /readyz   log ${path.relative(process.cwd(), w.logFile)}`]),
    ...shape.apis.map((a) => [a.name, `${a.url}/alerts  /metrics  /healthz  /readyz   log ${path.relative(process.cwd(), a.logFile)}`]),
  ];
  console.log(`\ndbops (production shape) is running.\n${rows.map(([k, v]) => `  ${k!.padEnd(17)} ${v}`).join('\n')}\n`);
  console.log(
    `Try: curl -X POST ${shape.apis[0]!.url}/alerts -H 'authorization: Bearer ${shape.intakeKey}' -H 'content-type: application/json' -d '{"type":"connection-pool-exhaustion","tier":"oltp","fingerprint":"pool-a"}'\n` +
      `     npm run dbops -- incident list\nCtrl-C stops everything.\n`,
  );
  await new Promise<void>((resolve) => {
    const wait = setInterval(() => {
      if (stopping) {
        clearInterval(wait);
        void stopping.then(resolve);
      }
    }, 200);
  });
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    const message = err instanceof ProvisionError || err?.name === 'ConfigError' ? err.message : (err?.stack ?? String(err));
    console.error(`production-local could not start: ${message}`);
    process.exit(1);
  },
);
