/**
 * The watchdog of the servers one dbops process started, spawned by dev/provision/watchdog.ts with that process' pid
 * as its argument. Its stdin is a pipe from that process: "watch <pid> <signal> <name>" lists a server, "release <pid>"
 * takes one off (stopped there). The kernel closes the pipe however the process ends; the watchdog then stops the
 * servers still listed, the last started first (Temporal before the PostgreSQL it may run on), and exits.
 */
import readline from 'node:readline';
import { isAlive, stopPid } from './processById';

const owner = process.argv[2];
const watched: { pid: number; signal: NodeJS.Signals; name: string }[] = [];

process.stderr.on('error', () => undefined); // the owner's terminal may be gone with it
// The terminal's signals are the owner's to handle; this process ends when its input does.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  const [verb, pid, signal, ...name] = line.split(' ');
  if (verb === 'watch') watched.push({ pid: Number(pid), signal: signal as NodeJS.Signals, name: name.join(' ') });
  const released = verb === 'release' ? watched.findIndex((w) => w.pid === Number(pid)) : -1;
  if (released >= 0) watched.splice(released, 1);
});
input.on('close', () => {
  void stopAll().finally(() => process.exit(0));
});

async function stopAll() {
  for (const server of watched.reverse()) {
    if (!isAlive(server.pid)) continue;
    process.stderr.write(`dbops watchdog: its starter (pid ${owner}) is gone; stopping ${server.name} (pid ${server.pid})\n`);
    await stopPid(server.pid, server.signal).catch((err: Error) => process.stderr.write(`dbops watchdog: ${err.message}\n`));
  }
}
