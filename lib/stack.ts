import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { migrate } from '../db/migrate';
import type { Config } from './config';
import type { Logger } from './logger';
import { startDevServer, type RunningTemporal } from './provision/devServer';
import { startEmbeddedPostgres, type RunningPostgres } from './provision/postgres';
import { findOrBuildTemporalCli } from './provision/temporalCli';

export interface Stack {
  temporalAddress: string;
  uiUrl?: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** Where `npm start` tells the CLI in another terminal how to reach what it started. */
export const runtimeFile = (config: Config) => path.join(config.dataDir, 'runtime.json');

/**
 * Brings up PostgreSQL and Temporal: the configured ones when DATABASE_URL / TEMPORAL_ADDRESS are set, otherwise
 * an embedded PostgreSQL and the Temporal dev server, both keeping their data under the data folder.
 */
export async function startStack(config: Config, log: Logger): Promise<Stack> {
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;
  const stopAll = async () => {
    await temporal?.stop().catch((err) => log.error({ err }, 'stopping Temporal failed'));
    await postgres?.stop().catch((err) => log.error({ err }, 'stopping PostgreSQL failed'));
    fs.rmSync(runtimeFile(config), { force: true });
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      log.info('starting the embedded PostgreSQL');
      postgres = await startEmbeddedPostgres({ dir: path.join(config.dataDir, 'postgres'), log });
      databaseUrl = postgres.url;
    }
    const pool = new Pool({ connectionString: databaseUrl });
    try {
      const applied = await migrate(pool);
      if (applied.length) log.info({ applied }, 'migrations applied');
    } finally {
      await pool.end();
    }

    let temporalAddress = config.temporal.address;
    let uiUrl: string | undefined;
    if (!temporalAddress) {
      const source = await findOrBuildTemporalCli({ cliPath: config.temporal.cliPath, cacheDir: config.cacheDir, log });
      log.info('starting the Temporal dev server');
      temporal = await startDevServer({
        source,
        log,
        port: config.temporal.port,
        uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal.sqlite'),
        namespace: config.temporal.namespace,
      });
      temporalAddress = temporal.address;
      uiUrl = temporal.uiUrl;
    }
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(runtimeFile(config), JSON.stringify({ temporalAddress, databaseUrl, pid: process.pid }), { mode: 0o600 });
    return { temporalAddress, uiUrl, databaseUrl, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** For the CLI: the addresses from the environment, else from a running `npm start`. */
export function resolveRuntime(config: Config): { temporalAddress?: string; databaseUrl?: string } {
  let started: { temporalAddress?: string; databaseUrl?: string } = {};
  try {
    started = JSON.parse(fs.readFileSync(runtimeFile(config), 'utf8'));
  } catch {
    /* nothing started locally */
  }
  return {
    temporalAddress: config.temporal.address ?? started.temporalAddress,
    databaseUrl: config.databaseUrl ?? started.databaseUrl,
  };
}
