import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const DBOPS = path.resolve(__dirname, '..', 'bin', 'dbops');

/** Wall-clock milliseconds of one `dbops …` run, as a person at a terminal waits for it; fails on a non-zero exit. */
export function timeCli(args: string[], env: Record<string, string> = {}): Promise<{ ms: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(DBOPS, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (lines += b.toString().split('\n').length - 1));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve({ ms, lines });
      else reject(new Error(`dbops ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n')[0]}`));
    });
  });
}

/** The median of `runs` timed runs (after one that also warms tsx's transform cache), and the slowest of them. */
export async function medianCliMs(
  args: string[],
  env: Record<string, string> = {},
  runs = 3,
): Promise<{ ms: number; lines: number; worstMs: number }> {
  await timeCli(args, env);
  const samples: { ms: number; lines: number }[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeCli(args, env));
  samples.sort((a, b) => a.ms - b.ms);
  return { ...samples[Math.floor(samples.length / 2)], worstMs: samples[samples.length - 1].ms };
}
