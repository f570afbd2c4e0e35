import { spawn } from 'node:child_process';

export interface ShellResult {
  exitCode: number | null;
  output: string;
  /** Set when dbops killed the command's process group: 'timeout', or the reason the signal was aborted with. */
  killedFor?: string;
}

/**
 * Runs an operator-configured hook (failover, backup check) with /bin/sh; returns its exit code and output tail.
 * The hook gets its own process group, so a timeout or an aborted `signal` (the activity was cancelled) kills
 * everything it started, not just the shell.
 */
export async function runShellCommand(
  command: string,
  env: Record<string, string>,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ShellResult> {
  const { timeoutMs = 120_000, signal } = options;
  const child = spawn('/bin/sh', ['-c', command], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  let killedFor: string | undefined;
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killGroup = (why: string) => {
    killedFor ??= why;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* the group has already exited */
    }
  };
  const timer = setTimeout(() => killGroup('timeout'), timeoutMs);
  const onAbort = () => killGroup(String(signal?.reason instanceof Error ? signal.reason.message : (signal?.reason ?? 'cancelled')));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    return { exitCode, output: output.trim(), ...(killedFor !== undefined && { killedFor }) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
