import fs from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../lib/logger';
import { startEphemeralStack } from '../../dev/ephemeralStack';
import { buildCli } from '../../client/cli/buildCli';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    devServerAddress: string;
    testServerPath: string;
    workflowBundlePath: string;
    /** The Temporal CLI binary, when one was found or built (not with the SDK-download fallback). */
    temporalCliPath: string;
    /** The dbops CLI bundled once for the run, as `npm run build` bundles it (test/support/cli.ts runs it). */
    cliBundlePath: string;
  }
}

/**
 * Starts the real parts once for the whole run: PostgreSQL (embedded unless DATABASE_URL is set), the Temporal
 * dev server (unless TEMPORAL_ADDRESS is set), the Java time-skipping test server's launcher, and one workflow
 * bundle that every test worker reuses.
 */
export default async function setup(project: TestProject) {
  // Provisioning says what it is doing: the first Go build of the Temporal CLI takes minutes.
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
  const stack = await startEphemeralStack({
    log,
    cacheDir: path.resolve(process.env.DBOPS_DATA_DIR ?? '.dbops', 'cache'),
    databaseUrl: process.env.DATABASE_URL,
    temporalAddress: process.env.TEMPORAL_ADDRESS,
    // WAL archiving on (to nowhere), so the backup check has an archiver to read; fsync off for speed.
    postgresSettings: { fsync: 'off', archive_mode: 'on', archive_command: 'true', archive_timeout: '0' },
  });
  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('devServerAddress', stack.devServerAddress);
  project.provide('testServerPath', stack.testServerPath);
  project.provide('workflowBundlePath', stack.workflowBundlePath);
  project.provide('temporalCliPath', stack.temporalCliPath);
  // Inside the checkout, so the bundle finds node_modules; one per run, so two runs never share one.
  const bundleDir = path.resolve(process.env.DBOPS_DATA_DIR ?? '.dbops', `test-cli/bundle-${process.pid}`);
  project.provide('cliBundlePath', await buildCli(path.join(bundleDir, 'main.js')));
  return async () => {
    await stack.stop();
    fs.rmSync(bundleDir, { recursive: true, force: true });
  };
}
