import type { TestProject } from 'vitest/node';
import { findOrInstallDebianTool, TEST_TOOLS } from '../../dev/provision/debianTool';
import { createLogger } from '../../lib/logger';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Chromium for the browser test (DBOPS_CHROMIUM_PATH, the PATH, or Debian's package installed once). */
    chromiumPath: string;
    /** tmux for the terminal test (DBOPS_TMUX_PATH, the PATH, or Debian's package installed once). */
    tmuxPath: string;
  }
}

/** Provisions a real browser and a real terminal once for the run, as Go builds the Temporal CLI and Alertmanager. */
export default async function setup(project: TestProject) {
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  project.provide('chromiumPath', await findOrInstallDebianTool(TEST_TOOLS.chromium, log));
  project.provide('tmuxPath', await findOrInstallDebianTool(TEST_TOOLS.tmux, log));
}
