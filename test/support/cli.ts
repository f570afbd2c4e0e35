import { spawn } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How the tests run the real `dbops` CLI: the bundle the run built from its sources at its start (what `npm run
 * build` makes and bin/dbops runs; a command starts in a third of a second instead of two through tsx), with the
 * caller's environment over the test process'. test/integration/cliBundle.test.ts checks the bundle against the
 * sources.
 */
export function dbopsCommand(args: string[], env: Record<string, string>) {
  return {
    file: process.execPath,
    args: [inject('cliBundlePath'), ...args],
    env: { ...process.env, ...env, DBOPS_DATA_DIR: path.join(ROOT, '.dbops/test-cli') },
  };
}

/** Runs the real `dbops` CLI as a person at a terminal would; `closeStdout` reads nothing, like `| head -0`. */
export function dbops(args: string[], env: Record<string, string>, opts: { closeStdout?: boolean } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const command = dbopsCommand(args, env);
    const child = spawn(command.file, command.args, { env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (opts.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    // 'close', not 'exit': the process can end before its piped stdout and stderr have been read to the end.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
