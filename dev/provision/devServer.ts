import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared/searchAttributes';
import { freePort, isPortOpen, ProvisionError, stopProcess, waitForPort } from './processes';
import type { TemporalCliSource } from './temporalCli';

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
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
  namespace?: string;
}

/** Starts the Temporal CLI dev server as a child process and waits until it serves gRPC. */
export async function startDevServer(opts: DevServerOptions): Promise<RunningTemporal> {
  const port = opts.port ?? (await freePort());
  const namespace = opts.namespace ?? 'default';
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
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);

  // Its own process group: a Ctrl-C in the terminal reaches us, and we stop the server after the worker drained.
  const child = spawn(opts.source.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitForPort(port, child, 60_000, 'the Temporal dev server', () => output);
  } catch (err) {
    await stopProcess(child, 2000);
    throw err;
  }
  opts.log.debug({ port, pid: child.pid }, 'Temporal dev server up');
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    async stop() {
      process.removeListener('exit', killOnExit);
      await stopProcess(child);
    },
  };
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
  return {
    address: env.address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    stop: () => env.teardown(),
  };
}
