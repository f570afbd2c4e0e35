import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { waitForPort } from '../../../dev/provision/processes';
import { ALL_SEARCH_ATTRIBUTES } from '../../../workflows/shared/searchAttributes';
import { restartableServer } from './restartableServer';

/** A dev server of one fault file's own (restartableServer), on a SQLite file that survives its restarts. */
export function ownDevServer(label: string) {
  const cliPath = inject('temporalCliPath') || process.env.TEMPORAL_CLI_PATH || '';
  return restartableServer(label, {
    start: (dir, port) => {
      if (!cliPath) throw new Error('this fault needs the Temporal CLI binary: set TEMPORAL_CLI_PATH');
      return startDevServerProcess({ cliPath, port, dbFile: path.join(dir, 'temporal.sqlite') });
    },
    // SIGKILL ends a stopped (SIGSTOP) server too.
    stop: (s) => s.kill9(),
  });
}

/**
 * A Temporal dev server of a test's own, keeping its state in `dbFile`, that the test can kill with SIGKILL and
 * start again on the same port and file (dev/provision/devServer.ts starts the same way, but only stops politely),
 * or stop with SIGSTOP and go on with SIGCONT (a server that hangs: its port open, nothing answered).
 */
export async function startDevServerProcess(o: { cliPath: string; port: number; dbFile: string }) {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--headless', '--log-level', 'error'];
  args.push('--db-filename', o.dbFile);
  for (const key of ALL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  const child: ChildProcess = spawn(o.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  process.once('exit', () => child.kill('SIGKILL'));
  await waitForPort(o.port, child, 60_000, 'the Temporal dev server', () => output).catch(async (err) => {
    await kill9();
    throw err;
  });
  return {
    address: `127.0.0.1:${o.port}`,
    kill9,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}
