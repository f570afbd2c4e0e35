import type { TestProject } from 'vitest/node';
import { findOrInstallChromium } from '../../dev/provision/chromium';
import { createLogger } from '../../lib/logger';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Chromium for the browser test (DBOPS_CHROMIUM_PATH, the PATH, or Debian's package installed once). */
    chromiumPath: string;
  }
}

/** Provisions a real browser once for the run, as Go builds the Temporal CLI and Alertmanager. */
export default async function setup(project: TestProject) {
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  project.provide('chromiumPath', await findOrInstallChromium({ chromiumPath: process.env.DBOPS_CHROMIUM_PATH, log }));
}
