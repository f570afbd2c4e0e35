import path from 'node:path';
import type { Logger } from '../lib/logger';
import { startEphemeralStack, type EphemeralStack } from '../dev/ephemeralStack';

export type BenchStack = EphemeralStack;

/**
 * The same real parts as the tests, but always our own (never DATABASE_URL / TEMPORAL_ADDRESS): figures from a
 * shared or persistent server would not be comparable between runs. The dev server keeps its state in memory,
 * which flatters latency compared to SQLite on disk.
 */
export function provisionBenchStack(log: Logger): Promise<BenchStack> {
  return startEphemeralStack({
    log,
    cacheDir: path.resolve(__dirname, '..', process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache'),
    postgresSettings: { fsync: 'off' },
  });
}
