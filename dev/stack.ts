import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { migrate } from '../db/migrate';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { runtimeFile } from '../lib/runtime';
import { startDevServer, type RunningTemporal } from './provision/devServer';
import { startEmbeddedPostgres, type RunningPostgres } from './provision/postgres';
import { findOrBuildTemporalCli } from './provision/temporalCli';

export interface Stack {
  temporalAddress: string;
  uiUrl?: string;
  databaseUrl: string;
  /** Whether PostgreSQL is the embedded one started here (demo data goes only there), not DATABASE_URL's. */
  embeddedPostgres: boolean;
  /** Whether Temporal is the dev server started here, not TEMPORAL_ADDRESS's. */
  devServer: boolean;
  /** Calls back when a server started here exits without being asked to. */
  onUnexpectedExit(listener: (reason: string) => void): void;
  stop(): Promise<void>;
}

/**
 * The dev server's SQLite file in write-ahead-log mode, synced at checkpoints rather than at every commit. Measured
 * with `npm run bench -- --store sqlite|sqlite-wal` (docs/performance.md). The trade: a power loss or an OS crash
 * can lose the last transactions (a started incident, a recorded page); a crash of the server process loses
 * nothing. The dev server is for one machine and demos; production runs the Temporal server on PostgreSQL.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

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
        pidFile: path.join(config.dataDir, 'temporal.pid'),
        sqlitePragmas: DEV_SERVER_SQLITE_PRAGMAS,
        namespace: config.temporal.namespace,
      });
      temporalAddress = temporal.address;
      uiUrl = temporal.uiUrl;
    }
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(runtimeFile(config), JSON.stringify({ temporalAddress, databaseUrl, pid: process.pid }), { mode: 0o600 });
    return {
      temporalAddress,
      uiUrl,
      databaseUrl,
      embeddedPostgres: Boolean(postgres),
      devServer: Boolean(temporal),
      onUnexpectedExit: (listener) => temporal?.onUnexpectedExit?.(listener),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
