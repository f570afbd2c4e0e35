import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Writable } from 'node:stream';

const ROOT = path.resolve(__dirname, '../..');

let watchdog: ChildProcessByStdio<Writable, null, null> | undefined;

/**
 * Has the watchdog process (dev/provision/watchdogProcess.ts) stop a server child should this process die without
 * stopping it: SIGKILL and the OOM killer run no exit handler, and a server in its own process group would live on.
 * Node cannot ask the kernel to signal a child when its parent dies (Linux' PR_SET_PDEATHSIG), but the kernel
 * closes a pipe however its writer ends: the watchdog reads ours and stops what is still listed at its end.
 * Returns the release, called once the server has been stopped (or has exited) here.
 */
export function stopWithThisProcess(pid: number, stopSignal: NodeJS.Signals, name: string): () => void {
  const dog = (watchdog ??= startWatchdog());
  tell(dog, `watch ${pid} ${stopSignal} ${name}`);
  return () => tell(dog, `release ${pid}`);
}

function startWatchdog() {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'watchdogProcess.ts'), String(process.pid)], {
    cwd: ROOT,
    // Its own process group, so the terminal's Ctrl-C does not reach it; its stderr says what it stopped.
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.on('error', () => undefined); // without a watchdog the servers still stop with a clean exit
  child.stdin.on('error', () => undefined);
  // Neither the watchdog nor its pipe keeps this process alive.
  child.unref();
  (child.stdin as Writable & { unref?: () => void }).unref?.();
  return child;
}

function tell(dog: NonNullable<typeof watchdog>, line: string) {
  if (dog.stdin.writable) dog.stdin.write(`${line}\n`);
}
