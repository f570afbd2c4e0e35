import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { stopWithThisProcess } from './watchdog';

/** A step that could not provision a real part; its message says what is missing and how to supply it. */
export class ProvisionError extends Error {}

/** Finds an executable by name on PATH, like `which`. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether this process could listen on a loopback port now. */
export async function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Runs a command to completion, passing each output line to `onLine`; rejects with the output's tail on failure. */
export async function runCommand(
  command: string,
  args: string[],
  options: SpawnOptions & { onLine?: (line: string) => void } = {},
): Promise<void> {
  const { onLine, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onLine?.(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new ProvisionError(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`);
  }
}

/** Sends `signal` (SIGTERM by default), then SIGKILL if the process has not exited within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Waits until a port accepts connections, failing early if the process that should open it has exited. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs: number, what: string, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ProvisionError(`${what} exited before it listened on port ${port}:\n${output()}`);
    }
    if (await isPortOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ProvisionError(`${what} did not listen on port ${port} within ${timeoutMs / 1000}s:\n${output()}`);
}

/**
 * A server child this process owns (spawned `detached`, so the terminal's Ctrl-C reaches this process only): keeps
 * the tail of its output, stops it if this process exits first (the watchdog does when this process is killed), and
 * tells listeners when it exits without having been stopped (a crash must be said, not silent).
 */
export function watchServer(child: ChildProcess, what: string, o: { keepChars: number; reasonChars: number; stopSignal?: NodeJS.Signals }) {
  const stopSignal = o.stopSignal ?? 'SIGTERM';
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-o.keepChars);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stopOnExit = () => child.kill(stopSignal);
  process.once('exit', stopOnExit);
  const release = child.pid ? stopWithThisProcess(child.pid, stopSignal, what) : () => undefined;
  let stopping = false;
  const exitListeners: ((reason: string) => void)[] = [];
  child.once('exit', (code, signal) => {
    release();
    process.removeListener('exit', stopOnExit);
    if (stopping) return;
    const tail = output.trim().slice(-o.reasonChars);
    const reason = `${what} (pid ${child.pid}) exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})${tail ? `: ${tail}` : ''}`;
    for (const listener of exitListeners) listener(reason);
  });
  return {
    output: () => output,
    onUnexpectedExit: (listener: (reason: string) => void) => exitListeners.push(listener),
    async stop(graceMs?: number) {
      stopping = true;
      await stopProcess(child, graceMs, stopSignal);
    },
  };
}
