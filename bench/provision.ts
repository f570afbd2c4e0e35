import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../lib/logger';
import { startEphemeralStack, type EphemeralStack } from '../dev/ephemeralStack';
import { startDevServer } from '../dev/provision/devServer';
import { findOrBuildTemporalCli } from '../dev/provision/temporalCli';
import { DEV_SERVER_SQLITE_PRAGMAS } from '../dev/stack';

export type BenchStack = EphemeralStack;

/**
 * Where the bench's dev server keeps its state: in memory (the default, as the tests), or in a SQLite file as
 * `npm start` does, with its pragmas (sqlite-wal) or with SQLite's defaults (sqlite: rollback journal, synchronous=full).
 */
export const STORES = ['memory', 'sqlite', 'sqlite-wal'] as const;
export type BenchStore = (typeof STORES)[number];

/** The project's cache of built servers (the Temporal CLI and server, Alertmanager), as the tests use it. */
export const BENCH_CACHE_DIR = path.resolve(__dirname, '..', process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache');

/**
 * The same real parts as the tests, but always our own (never DATABASE_URL / TEMPORAL_ADDRESS): figures from a
 * shared or persistent server would not be comparable between runs. The in-memory store flatters latency compared
 * to SQLite on disk (`--store sqlite-wal` is `npm start`'s).
 */
export async function provisionBenchStack(log: Logger, store: BenchStore = 'memory'): Promise<BenchStack> {
  const cacheDir = BENCH_CACHE_DIR;
  if (store === 'memory') return startEphemeralStack({ log, cacheDir, postgresSettings: { fsync: 'off' } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bench-sqlite-'));
  const temporal = await startDevServer({
    source: await findOrBuildTemporalCli({ cacheDir, log }),
    log,
    dbFile: path.join(dir, 'temporal.sqlite'),
    sqlitePragmas: store === 'sqlite-wal' ? DEV_SERVER_SQLITE_PRAGMAS : [],
  });
  try {
    const stack = await startEphemeralStack({ log, cacheDir, postgresSettings: { fsync: 'off' }, temporalAddress: temporal.address });
    return {
      ...stack,
      async stop() {
        await stack.stop();
        await temporal.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await temporal.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
