import fs from 'node:fs';

/**
 * Processes known only by their pid (a server an earlier start left running, one whose owner died): whether one
 * lives, what it runs, who its parent is, and stopping it. Linux' /proc; elsewhere only `isAlive` answers.
 */

/** Whether the pid names a running process; an exited one nobody has reaped yet (a zombie) is not running. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProc(pid, 'stat');
  // The state follows the command name in parentheses, which may itself hold spaces and parentheses.
  return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

/** The process' arguments (argv[0] first), or [] when it is gone or unreadable. */
export function commandLine(pid: number): string[] {
  return (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean);
}

/** The pid of the process' parent, when known. */
export function parentPid(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
  return Number.isInteger(ppid) ? ppid : undefined;
}

/**
 * Whether a server's parent is a live Node process, i.e. the dbops process that started it still owns it. Once its
 * starter is gone the kernel hands a process to init or a subreaper (systemd, tini), never to a Node process.
 */
export function ownerOf(pid: number): { pid: number; command: string } | undefined {
  const ppid = parentPid(pid);
  if (!ppid || ppid === 1) return undefined;
  const comm = readProc(ppid, 'comm')?.trim() ?? '';
  return comm.startsWith('node') ? { pid: ppid, command: commandLine(ppid).join(' ') } : undefined;
}

/**
 * Sends `signal`, then SIGKILL to the process' group (a server we started leads its own) after `graceMs`; fails when
 * even that does not end it (another user's process).
 */
export async function stopPid(pid: number, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
  if (!isAlive(pid)) return;
  signalQuietly(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline + 5000) throw new Error(`pid ${pid} did not stop on ${signal}, nor on SIGKILL`);
    if (Date.now() > deadline) {
      signalQuietly(-pid, 'SIGKILL');
      signalQuietly(pid, 'SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone meanwhile, or not a group */
  }
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
