import fs from 'node:fs';
import type { Logger } from '../../lib/logger';
import { commandLine, isAlive, ownerOf, stopPid } from './processById';
import { ProvisionError } from './processes';

/**
 * Servers an earlier start left running on a data folder (its process was SIGKILLed, by the OOM killer say, and its
 * watchdog with it) would hold the folder's lock and ports. A start finds them by their pid file, checks the process
 * is ours (its command line names the same data), stops it and says so in one line. One whose starter is still
 * running is that process' to stop: refused, naming both.
 */
export async function stopLeftoverPostgres(dataDir: string, log: Logger): Promise<void> {
  await stopLeftover({
    pidFile: `${dataDir}/postmaster.pid`,
    what: 'PostgreSQL',
    where: dataDir,
    isOurs: (args) => /\/postgres$/.test(args[0] ?? '') && args[args.indexOf('-D') + 1] === dataDir,
    stopSignal: 'SIGINT',
    log,
  });
}

/** The dev server's pid file is written by dev/provision/devServer.ts; its `--db-filename` says whose it is. */
export async function stopLeftoverDevServer(pidFile: string, dbFile: string, log: Logger): Promise<void> {
  await stopLeftover({
    pidFile,
    what: 'the Temporal dev server',
    where: dbFile,
    isOurs: (args) => args.includes('start-dev') && args[args.indexOf('--db-filename') + 1] === dbFile,
    stopSignal: 'SIGTERM',
    log,
  });
  fs.rmSync(pidFile, { force: true });
}

async function stopLeftover(o: {
  pidFile: string;
  what: string;
  where: string;
  isOurs: (args: string[]) => boolean;
  stopSignal: NodeJS.Signals;
  log: Logger;
}) {
  const pid = readPid(o.pidFile);
  if (!pid || !isAlive(pid) || !o.isOurs(commandLine(pid))) return;
  const owner = ownerOf(pid);
  if (owner) {
    throw new ProvisionError(
      `${o.what} (pid ${pid}) on ${o.where} belongs to a dbops process that is still running (pid ${owner.pid}: ${owner.command}): ` +
        'stop that one first, or give this one another data folder (DBOPS_DATA_DIR).',
    );
  }
  const started = Date.now();
  await stopPid(pid, o.stopSignal).catch((err: Error) => {
    throw new ProvisionError(
      `${o.what} (pid ${pid}) was left running on ${o.where} by an earlier start, and could not be stopped: ${err.message}`,
    );
  });
  o.log.warn(
    `found ${o.what} (pid ${pid}) left running on ${o.where} by an earlier start that is gone; stopped it in ${Date.now() - started} ms`,
  );
}

/** The pid on a pid file's first line (PostgreSQL's postmaster.pid has more lines after it). */
function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
