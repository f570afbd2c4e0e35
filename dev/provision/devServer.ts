import { spawn, type ChildProcess, type SpawnOptionsWithStdioTuple } from 'node:child_process';
import { Connection } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { stopLeftoverDevServer } from './leftoverServers';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared/searchAttributes';
import { freePort, isPortOpen, ProvisionError, waitForPort, watchServer } from './processes';
import type { TemporalCliSource } from './temporalCli';

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
  /** Calls back when the server exits without being asked to (crashed, killed); absent with the SDK's download. */
  onUnexpectedExit?(listener: (reason: string) => void): void;
}

export interface DevServerOptions {
  source: TemporalCliSource;
  log: Logger;
  /** gRPC port; a free one when omitted. */
  port?: number;
  /** UI port; no UI when omitted. */
  uiPort?: number;
  /** SQLite file that keeps the server's state across restarts; in memory when omitted. */
  dbFile?: string;
  /** SQLite pragmas for dbFile, as `name=value` (`temporal server start-dev --sqlite-pragma`). */
  sqlitePragmas?: string[];
  namespace?: string;
  /**
   * Where the server's pid is kept while it runs (with dbFile): a start finds a server an earlier one left running on
   * the same file there, and stops it.
   */
  pidFile?: string;
}

/** Starts the Temporal CLI dev server as a child process and waits until it serves gRPC. */
export async function startDevServer(opts: DevServerOptions): Promise<RunningTemporal> {
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
  if (opts.pidFile && opts.dbFile) await stopLeftoverDevServer(opts.pidFile, opts.dbFile, opts.log);
  // A Go server's leader thread shows as exited while its other threads still close its sockets: give a stopped
  // leftover a moment to let go of the port before calling it taken (seen: "stopped it in 0 ms", then "in use").
  for (let i = 0; i < 50 && (await isPortOpen(port)); i++) await new Promise((r) => setTimeout(r, 200));
  if (await isPortOpen(port)) {
    throw new ProvisionError(
      `port ${port} is already in use: stop what listens there, set TEMPORAL_PORT to another port, or set TEMPORAL_ADDRESS to use that server.`,
    );
  }
  if (opts.source.kind === 'sdk-download') return startWithSdkDownload(opts, port, namespace);

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--namespace', namespace, '--log-level', 'error'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    keepPrivate(opts.dbFile);
    args.push('--db-filename', opts.dbFile);
    for (const pragma of opts.sqlitePragmas ?? []) args.push('--sqlite-pragma', pragma);
  }
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);

  // Its own process group: a Ctrl-C in the terminal reaches us, and we stop the server after the worker drained.
  const options: SpawnOptionsWithStdioTuple<'ignore', 'pipe', 'pipe'> = { stdio: ['ignore', 'pipe', 'pipe'], detached: true };
  const child = opts.dbFile ? spawnPrivate(opts.source.path, args, options) : spawn(opts.source.path, args, options);
  const watched = watchServer(child, 'the Temporal dev server', { keepChars: 4000, reasonChars: 500 });
  if (opts.pidFile && child.pid) fs.writeFileSync(opts.pidFile, `${child.pid}\n`, { mode: 0o600 });
  const stop = async (graceMs?: number) => {
    await watched.stop(graceMs);
    if (opts.pidFile) fs.rmSync(opts.pidFile, { force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    await waitForPort(port, child, 60_000, 'the Temporal dev server', watched.output);
    await waitForHealthyFrontend(`127.0.0.1:${port}`, deadline, child, watched.output);
  } catch (err) {
    await stop(2000);
    throw err;
  }
  opts.log.debug({ port, pid: child.pid }, 'Temporal dev server up');
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    stop: () => stop(),
    onUnexpectedExit: watched.onUnexpectedExit,
  };
}

/**
 * The frontend listens a moment before it answers ("Frontend is not healthy yet"): a worker connecting in that moment
 * fails, so start-up waits for a successful GetSystemInfo (what every SDK connection calls first).
 */
async function waitForHealthyFrontend(address: string, deadline: number, child: ChildProcess, output: () => string) {
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ProvisionError(`the Temporal dev server exited before it was healthy:\n${output()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2 seconds' });
      await connection.close();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new ProvisionError(`the Temporal dev server did not become healthy within 60 s: ${(lastError as Error)?.message}\n${output()}`);
}

/**
 * The server's SQLite file holds every incident's history (titles, notes, who did what): readable by its owner only.
 * The server creates it (and its -wal and -shm files) under the umask it inherits, so it is started with 077; files
 * from an earlier start are narrowed here.
 */
function keepPrivate(dbFile: string) {
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  for (const file of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
    if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
  }
}

/** Spawns with umask 077, so whatever the process creates is its owner's only; the umask is restored at once. */
function spawnPrivate(command: string, args: string[], options: SpawnOptionsWithStdioTuple<'ignore', 'pipe', 'pipe'>) {
  const previous = process.umask(0o077);
  try {
    return spawn(command, args, options);
  } finally {
    process.umask(previous);
  }
}

/** Last resort on a machine without Go: the SDK downloads and manages the dev server itself. */
async function startWithSdkDownload(opts: DevServerOptions, port: number, namespace: string): Promise<RunningTemporal> {
  if (opts.source.kind !== 'sdk-download') throw new Error('unreachable');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download', downloadDir: opts.source.downloadDir },
      port,
      namespace,
      ui: Boolean(opts.uiPort),
      uiPort: opts.uiPort,
      dbFilename: opts.dbFile,
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
    },
  });
  if (opts.dbFile) keepPrivate(opts.dbFile); // created by the SDK's server under our umask: narrowed once it exists
  return {
    address: env.address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
