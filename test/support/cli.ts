import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How the tests run the real `dbops` CLI: from its sources, with the caller's environment over the test process'. */
export function dbopsCommand(args: string[], env: Record<string, string>) {
  return {
    file: path.join(ROOT, 'node_modules/.bin/tsx'),
    args: [path.join(ROOT, 'client/cli/main.ts'), ...args],
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
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
