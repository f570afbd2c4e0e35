import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject } from 'vitest';
import { freePort } from '../../dev/provision/processes';

const ROOT = path.resolve(__dirname, '../..');

/** Where an earlier run kept its state and listened: a restart uses the same. */
export interface NpmStartPlace {
  dataDir: string;
  port: number;
  uiPort: number;
  intakePort: number;
}

/**
 * `npm start` in a data folder and on ports of the test's own, in its own process group like a terminal's foreground
 * job. `again`: on an earlier run's folder and ports (a restart). `viaNpm`: through npm as a person types it;
 * otherwise the command the script runs, `node --import tsx dev/start.ts`, whose pid is the service's own.
 */
export async function startService(o: { again?: NpmStartPlace; viaNpm?: boolean; env?: Record<string, string> } = {}) {
  const [port, uiPort, intakePort] = o.again
    ? [o.again.port, o.again.uiPort, o.again.intakePort]
    : [await freePort(), await freePort(), await freePort()];
  const dataDir = o.again?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-start-'));
  fs.chmodSync(dataDir, 0o755);
  const [command, args] = o.viaNpm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', path.join(ROOT, 'dev/start.ts')]];
  const child = spawn(command, args, {
    cwd: ROOT,
    // Its own process group: an interrupt to the group reaches every process in it, as a terminal's Ctrl-C does.
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      TEMPORAL_PORT: String(port),
      TEMPORAL_UI_PORT: String(uiPort),
      DBOPS_INTAKE_PORT: String(intakePort),
      DBOPS_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const startedAt = Date.now();
  const service = {
    child,
    port,
    uiPort,
    intakePort,
    dataDir,
    output: '',
    exited: new Promise<number | null>((resolve) => child.once('exit', resolve)),
    pidFile: path.join(dataDir, 'postgres/data/postmaster.pid'),
    /** Waits until it says it is running; returns how long after its start that was. */
    async running(): Promise<number> {
      for (let i = 0; i < 1200 && !service.output.includes('dbops is running') && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(service.output, service.output).toContain('dbops is running');
      return Date.now() - startedAt;
    },
    /** The intake key it made (kept in its data folder). */
    intakeKey: (): string => JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).intakeKey,
    /** Kills whatever of it still runs, its servers included, and removes its data folder. */
    cleanUp() {
      try {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* the group is gone */
      }
      for (const p of processesOf(dataDir)) process.kill(p.pid, 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  child.stdout.on('data', (c) => (service.output += c));
  child.stderr.on('data', (c) => (service.output += c));
  return service;
}

/** Processes whose arguments match, from /proc. */
export function findProcesses(match: (args: string[]) => boolean): { pid: number; args: string[] }[] {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (match(args)) found.push({ pid: Number(pid), args });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/** The servers keeping their state in this data folder (PostgreSQL's `-D`, the dev server's `--db-filename`). */
export function processesOf(dataDir: string) {
  return findProcesses((args) => args.some((a) => a.startsWith(`${dataDir}/`)));
}

/** The pid of the dev server listening on this gRPC port. */
export function devServerPid(port: number): number {
  const [server] = findProcesses((args) => args.includes('start-dev') && args[args.indexOf('--port') + 1] === String(port));
  if (!server) throw new Error(`no dev server on port ${port}`);
  return server.pid;
}

/** The watchdog of the servers this process started (dev/provision/watchdogProcess.ts, given its owner's pid). */
export function watchdogOf(ownerPid: number): number | undefined {
  return findProcesses((args) => args.some((a) => a.endsWith('watchdogProcess.ts')) && args.at(-1) === String(ownerPid))[0]?.pid;
}
