import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrate } from '../../db/migrate';
import { createLogger } from '../../lib/logger';
import { startDevServer, type RunningTemporal } from '../../lib/provision/devServer';
import { startEmbeddedPostgres, type RunningPostgres } from '../../lib/provision/postgres';
import { findOrBuildTemporalCli } from '../../lib/provision/temporalCli';
import { provisionTestServer } from '../../lib/provision/testServer';
import { WORKFLOWS_PATH } from '../../workers/createWorker';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    devServerAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
    /** The Temporal CLI binary, when one was found or built (not with the SDK-download fallback). */
    temporalCliPath: string;
  }
}

/**
 * Starts the real parts once for the whole run: PostgreSQL (embedded unless DATABASE_URL is set), the Temporal
 * dev server (unless TEMPORAL_ADDRESS is set), the Java time-skipping test server's launcher, and one workflow
 * bundle that every test worker reuses.
 */
export default async function setup(project: TestProject) {
  // Provisioning says what it is doing: the first Go build of the Temporal CLI takes minutes.
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  const cacheDir = path.resolve(process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-test-'));
  fs.chmodSync(scratch, 0o755); // the embedded server may run as another user
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;

  const teardown = async () => {
    await temporal?.stop();
    await postgres?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
  const [testServerPath, cli] = await Promise.all([provisionTestServer({ cacheDir, log }), findOrBuildTemporalCli({ cacheDir, log })]);

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    postgres = await startEmbeddedPostgres({
      dir: path.join(scratch, 'postgres'),
      log,
      persistent: false,
      // WAL archiving on (to nowhere), so the backup check has an archiver to read; fsync off for speed.
      settings: { fsync: 'off', archive_mode: 'on', archive_command: 'true', archive_timeout: '0' },
    });
    databaseUrl = postgres.url;
  }
  const pool = new Pool({ connectionString: databaseUrl });
  await migrate(pool);
  await pool.end();

  let devServerAddress = process.env.TEMPORAL_ADDRESS;
  if (!devServerAddress) {
    temporal = await startDevServer({ source: cli, log });
    devServerAddress = temporal.address;
  }

  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silentWebpackLogger() });
  const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);

  project.provide('databaseUrl', databaseUrl);
  project.provide('devServerAddress', devServerAddress);
  project.provide('testServerPath', testServerPath);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide('temporalCliPath', cli.kind === 'binary' ? cli.path : '');

  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

function silentWebpackLogger() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
}
