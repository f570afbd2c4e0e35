import { spawn } from 'node:child_process';

/** Runs an operator-configured hook (failover, backup check) with /bin/sh; returns its exit code and output tail. */
export async function runShellCommand(
  command: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ exitCode: number | null; output: string }> {
  const child = spawn('/bin/sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    return { exitCode, output: output.trim() };
  } finally {
    clearTimeout(timer);
  }
}
