import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { dbopsCommand } from './cli';

const run = promisify(execFile);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the real `dbops` CLI with its stdout on a real terminal (a detached tmux, on a server of its own) and returns
 * the screen as the terminal shows it once the command is done: what escape sequences did to it, not the bytes that
 * were printed. Lines wrapped by the terminal's width are joined again; trailing blanks are cut.
 */
export async function dbopsOnTerminal(args: string[], env: Record<string, string>): Promise<string[]> {
  const tmux = inject('tmuxPath');
  // A server of its own, on a socket in a folder of its own (removed after), even when the tests run inside tmux.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-tmux-'));
  const socket = path.join(dir, 'socket');
  const command = dbopsCommand(args, env);
  const tmuxEnv: NodeJS.ProcessEnv = { ...command.env };
  delete tmuxEnv.TMUX;
  // The pane's shell runs the CLI, signals that it ended, then keeps the pane open until the screen is read.
  const cli = [command.file, ...command.args].map(quote).join(' ');
  const script = `${cli}; ${quote(tmux)} -S ${quote(socket)} wait-for -S done; sleep 600`;
  const tmuxRun = (tmuxArgs: string[]) => run(tmux, ['-S', socket, ...tmuxArgs], { env: tmuxEnv, timeout: 60_000 });
  try {
    await tmuxRun(['-u', 'new-session', '-d', '-s', 'cli', '-x', '400', '-y', '100', script]);
    await tmuxRun(['wait-for', 'done']);
    const { stdout } = await tmuxRun(['capture-pane', '-p', '-J', '-S', '-', '-t', 'cli']);
    const lines = stdout.split('\n').map((l) => l.trimEnd());
    while (lines.length && !lines.at(-1)) lines.pop();
    return lines;
  } finally {
    // Only this test's tmux server, and the pane it holds.
    await tmuxRun(['kill-server']).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
