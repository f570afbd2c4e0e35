import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrate } from '../db/migrate';
import { WORKFLOWS_PATH } from '../workers/createWorker';
import type { Logger } from '../lib/logger';
import { startDevServer, type RunningTemporal } from './provision/devServer';
import { startEmbeddedPostgres, type RunningPostgres } from './provision/postgres';
import { findOrBuildTemporalCli } from './provision/temporalCli';
import { provisionTestServer } from './provision/testServer';

export interface EphemeralStack {
  /** Admin URL of the PostgreSQL server (database `postgres`), migrated. */
  databaseUrl: string;
  devServerAddress: string;
  /** Launcher of the Java time-skipping test server; each TestWorkflowEnvironment starts its own process. */
  testServerPath: string;
  /** The Temporal CLI binary ('' when the SDK downloads the dev server instead). */
  temporalCliPath: string;
  /** Workflows bundled once: every worker reuses it instead of running webpack again (seconds per worker). */
  workflowBundlePath: string;
  stop(): Promise<void>;
}

/**
 * The real parts for a test run or a benchmark, in a scratch folder removed afterwards: an embedded PostgreSQL
 * (unless a databaseUrl is given), the in-memory Temporal dev server (unless a temporalAddress is given), the Java
 * test server's launcher and a workflow bundle.
 */
export async function startEphemeralStack(opts: {
  log: Logger;
  cacheDir: string;
  databaseUrl?: string;
  temporalAddress?: string;
  postgresSettings?: Record<string, string>;
}): Promise<EphemeralStack> {
  const { log, cacheDir } = opts;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-'));
  fs.chmodSync(scratch, 0o755); // as root, the embedded server runs as a 'postgres' user that must reach its data
  const removeScratch = () => fs.rmSync(scratch, { recursive: true, force: true });
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
    let databaseUrl = opts.databaseUrl;
    if (!databaseUrl) {
      postgres = await startEmbeddedPostgres({
        dir: path.join(scratch, 'postgres'),
        log,
        persistent: false,
        settings: opts.postgresSettings,
      });
      databaseUrl = postgres.url;
    }
    const pool = new Pool({ connectionString: databaseUrl });
    await migrate(pool).finally(() => pool.end());
    let devServerAddress = opts.temporalAddress;
    if (!devServerAddress) {
      temporal = await startDevServer({ source: cli, log });
      devServerAddress = temporal.address;
    }
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietWebpackLogger() });
    const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
    fs.writeFileSync(workflowBundlePath, bundle.code);
    return {
      databaseUrl,
      devServerAddress,
      testServerPath,
      temporalCliPath: cli.kind === 'binary' ? cli.path : '',
      workflowBundlePath,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function quietWebpackLogger() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
}
