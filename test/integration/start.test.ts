import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort, isPortOpen } from '../../dev/provision/processes';

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm start` as a newcomer runs it: the service comes up with its UI and intake, and one Ctrl-C to the terminal's
 * process group stops everything it started.
 */
describe('npm start', () => {
  it('comes up, answers on the printed addresses, and Ctrl-C leaves no server behind', { timeout: 120_000 }, async () => {
    const [port, uiPort, intakePort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-start-'));
    fs.chmodSync(dataDir, 0o755);
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'dev/start.ts')], {
      cwd: ROOT,
      // Its own process group, like a terminal's foreground job: the interrupt below reaches every process in it.
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      for (let i = 0; i < 600 && !output.includes('dbops is running') && child.exitCode === null; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(output, output).toContain('dbops is running');
      expect(output).toContain(`Temporal UI     http://127.0.0.1:${uiPort}`);
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      const alert = await fetch(`http://127.0.0.1:${intakePort}/alerts`, {
        method: 'POST',
        body: JSON.stringify({ type: 'database-outage', tier: 'oltp', fingerprint: 'start-test' }),
      });
      expect(alert.status).toBe(202);
      const pidFile = path.join(dataDir, 'postgres/data/postmaster.pid');
      expect(fs.existsSync(pidFile)).toBe(true);

      process.kill(-child.pid!, 'SIGINT');
      const code = await exited;
      expect(code, output).toBe(0);
      expect(output).toContain('dbops stopped.');
      expect(await isPortOpen(port)).toBe(false);
      expect(await isPortOpen(uiPort)).toBe(false);
      expect(await isPortOpen(intakePort)).toBe(false);
      expect(fs.existsSync(pidFile)).toBe(false); // PostgreSQL removes it when it shuts down
      expect(fs.existsSync(path.join(dataDir, 'runtime.json'))).toBe(false);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
