import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProductionShape, type ProductionShape } from '../../dev/productionShape';
import { createLogger } from '../../lib/logger';

/**
 * The production shape in a scratch folder of a test's own, on the cached Temporal server or the prebuilt one
 * (TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH), its workflow bundle built into the folder. `close` stops it and
 * removes the folder.
 */
export async function startShapeInScratch(o: {
  workers: number;
  apis: number;
  env: Record<string, string>;
}): Promise<{ shape: ProductionShape; close(): Promise<void> }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-shape-'));
  fs.chmodSync(scratch, 0o755); // as root, the embedded server runs as a 'postgres' user that must reach its data
  const removeScratch = () => fs.rmSync(scratch, { recursive: true, force: true });
  const shape = await startProductionShape({
    dir: scratch,
    cacheDir: path.resolve(process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache'),
    log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
    workers: o.workers,
    apis: o.apis,
    serverPath: process.env.TEMPORAL_SERVER_PATH,
    sqlToolPath: process.env.TEMPORAL_SQL_TOOL_PATH,
    bundlePath: path.join(scratch, 'workflow-bundle.js'),
    env: o.env,
  }).catch((err) => {
    removeScratch();
    throw err;
  });
  return {
    shape,
    async close() {
      await shape.stop();
      removeScratch();
    },
  };
}
