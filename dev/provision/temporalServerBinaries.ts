import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../../lib/logger';
import { findOnPath, isExecutable, ProvisionError, runCommand } from './processes';

/** The Temporal server release docker-compose.yml runs (temporalio/auto-setup, admin-tools): the same one here. */
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface TemporalServerBinaries {
  /** The server (`cmd/server`). */
  server: string;
  /** The SQL schema tool (`cmd/tools/sql`). */
  sqlTool: string;
  /** The module's source: its PostgreSQL schemas are applied from here. */
  moduleDir: string;
}

/**
 * Finds the real Temporal server and its SQL tool: TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH, then the project
 * cache; builds the missing ones into the cache with Go (the server takes about 5 minutes on 2 cores, once).
 */
export async function findOrBuildTemporalServer(opts: {
  serverPath?: string;
  sqlToolPath?: string;
  cacheDir: string;
  log: Logger;
}): Promise<TemporalServerBinaries> {
  const go = findOnPath('go');
  if (!go) {
    throw new ProvisionError(
      'the real Temporal server is built with Go, and there is no `go` on PATH: install Go, or set TEMPORAL_SERVER_PATH and ' +
        'TEMPORAL_SQL_TOOL_PATH to prebuilt binaries (the schemas come from the Go module cache all the same).',
    );
  }
  const binDir = path.join(opts.cacheDir, 'temporal-server', 'bin');
  const server = await binary('TEMPORAL_SERVER_PATH', opts.serverPath, path.join(binDir, 'server'), 'cmd/server', go, opts.log);
  const sqlTool = await binary('TEMPORAL_SQL_TOOL_PATH', opts.sqlToolPath, path.join(binDir, 'sql'), 'cmd/tools/sql', go, opts.log);
  return { server, sqlTool, moduleDir: await moduleSource(go) };
}

async function binary(envName: string, given: string | undefined, cached: string, pkg: string, go: string, log: Logger) {
  if (given) {
    if (!isExecutable(given))
      throw new ProvisionError(`${envName}=${given} is not an executable file. Point it at the binary, or unset it.`);
    return given;
  }
  if (isExecutable(cached)) return cached;
  const target = `${TEMPORAL_SERVER_MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`;
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  log.info({ module: target, into: path.dirname(cached) }, `building ${pkg} once with Go (the server takes minutes; cached afterwards)`);
  const started = Date.now();
  const ticker = setInterval(() => log.info(`still building ${pkg}… ${Math.round((Date.now() - started) / 1000)}s`), 30_000);
  try {
    await runCommand(go, ['install', target], {
      env: { ...process.env, GOBIN: path.dirname(cached), GOFLAGS: '-mod=mod' },
      onLine: (line) => line.startsWith('go: downloading') || log.info(`go: ${line}`),
    });
  } catch (err) {
    throw new ProvisionError(`building ${target} with Go failed; build it yourself and set ${envName}.\n${(err as Error).message}`);
  } finally {
    clearInterval(ticker);
  }
  log.info({ seconds: Math.round((Date.now() - started) / 1000) }, `${pkg} built`);
  return cached;
}

/** Where Go keeps the module's source (downloaded by the build; downloaded here when the binaries were given). */
async function moduleSource(go: string): Promise<string> {
  const { stdout } = await promisify(execFile)(go, ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`], {
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  }).catch((err: Error & { stdout?: string }) => {
    throw new ProvisionError(
      `could not find the source of ${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}: ${err.stdout ?? err.message}`,
    );
  });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir || !fs.existsSync(path.join(dir, 'schema')))
    throw new ProvisionError(`the Go module cache has no schemas for ${TEMPORAL_SERVER_MODULE}`);
  return dir;
}
