import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { findOnPath, isExecutable, ProvisionError, runCommand } from './processes';

/** The last tag `go install` accepts: later tags carry a replace directive that it refuses. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type TemporalCliSource = { kind: 'binary'; path: string } | { kind: 'sdk-download'; downloadDir: string };

/**
 * Finds the Temporal CLI (which carries the dev server): TEMPORAL_CLI_PATH, then PATH, then the project cache;
 * builds it into the cache with Go when absent; with no Go, falls back to the SDK's own download.
 */
export async function findOrBuildTemporalCli(opts: { cliPath?: string; cacheDir: string; log: Logger }): Promise<TemporalCliSource> {
  const { cliPath, cacheDir, log } = opts;
  if (cliPath) {
    if (!isExecutable(cliPath)) {
      throw new ProvisionError(`TEMPORAL_CLI_PATH=${cliPath} is not an executable file. Point it at a Temporal CLI binary, or unset it.`);
    }
    return { kind: 'binary', path: cliPath };
  }
  const onPath = findOnPath('temporal');
  if (onPath) return { kind: 'binary', path: onPath };

  const binDir = path.join(cacheDir, 'bin');
  const cached = path.join(binDir, 'temporal');
  if (isExecutable(cached)) return { kind: 'binary', path: cached };

  const go = findOnPath('go');
  if (!go) {
    log.warn('no Temporal CLI on PATH or in the cache, and no Go toolchain: falling back to the SDK download of the dev server');
    return { kind: 'sdk-download', downloadDir: path.join(cacheDir, 'sdk-download') };
  }

  fs.mkdirSync(binDir, { recursive: true });
  log.info(
    { module: TEMPORAL_CLI_MODULE, into: binDir },
    'building the Temporal CLI once with Go (takes a few minutes; cached afterwards)',
  );
  const started = Date.now();
  const ticker = setInterval(() => log.info(`still building the Temporal CLI… ${Math.round((Date.now() - started) / 1000)}s`), 20_000);
  let downloads = 0;
  try {
    await runCommand(go, ['install', TEMPORAL_CLI_MODULE], {
      env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
      onLine: (line) => {
        if (line.startsWith('go: downloading')) downloads++;
        else log.info(`go: ${line}`);
      },
    });
  } catch (err) {
    throw new ProvisionError(
      `building the Temporal CLI with Go failed. Install it yourself and set TEMPORAL_CLI_PATH, put 'temporal' on PATH, ` +
        `or set TEMPORAL_ADDRESS to a running server.\n${(err as Error).message}`,
    );
  } finally {
    clearInterval(ticker);
  }
  log.info({ seconds: Math.round((Date.now() - started) / 1000), modules: downloads }, 'Temporal CLI built');
  return { kind: 'binary', path: cached };
}
