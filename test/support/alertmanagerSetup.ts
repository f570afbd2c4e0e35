import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findOrBuildAlertmanager } from '../../dev/provision/alertmanager';
import { createLogger } from '../../lib/logger';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Prometheus Alertmanager binary (ALERTMANAGER_PATH, the cache, or built with Go once). */
    alertmanagerPath: string;
  }
}

/** Provisions Alertmanager once for the run, like the Temporal CLI: a clean clone with Go builds it (about 80 s). */
export default async function setup(project: TestProject) {
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  const cacheDir = path.resolve(process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache');
  project.provide('alertmanagerPath', await findOrBuildAlertmanager({ alertmanagerPath: process.env.ALERTMANAGER_PATH, cacheDir, log }));
}
