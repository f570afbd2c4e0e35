import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { findOnPath, freePort, isExecutable, ProvisionError, runCommand, waitForPort, watchServer } from './processes';

/** The Prometheus Alertmanager the tests send alerts through (a real client of dbops' alert intakes). */
export const ALERTMANAGER_MODULE = 'github.com/prometheus/alertmanager/cmd/alertmanager@v0.31.1';

/**
 * Finds Alertmanager: ALERTMANAGER_PATH, then the project cache; builds it into the cache with Go when absent
 * (about 80 s on 2 cores, once). Like the Temporal CLI, so a clean clone with Go provisions it by itself.
 */
export async function findOrBuildAlertmanager(opts: { alertmanagerPath?: string; cacheDir: string; log: Logger }): Promise<string> {
  const { alertmanagerPath, cacheDir, log } = opts;
  if (alertmanagerPath) {
    if (!isExecutable(alertmanagerPath))
      throw new ProvisionError(
        `ALERTMANAGER_PATH=${alertmanagerPath} is not an executable file. Point it at an alertmanager binary, or unset it.`,
      );
    return alertmanagerPath;
  }
  const binDir = path.join(cacheDir, 'bin');
  const cached = path.join(binDir, 'alertmanager');
  if (isExecutable(cached)) return cached;
  const go = findOnPath('go');
  if (!go) throw new ProvisionError('no Alertmanager in the cache and no Go toolchain to build it: install Go, or set ALERTMANAGER_PATH');
  fs.mkdirSync(binDir, { recursive: true });
  log.info({ module: ALERTMANAGER_MODULE, into: binDir }, 'building Alertmanager once with Go (about 80 s; cached afterwards)');
  const started = Date.now();
  try {
    await runCommand(go, ['install', ALERTMANAGER_MODULE], {
      env: { ...process.env, GOBIN: binDir, GOFLAGS: '-mod=mod' },
      onLine: (line) => {
        if (!line.startsWith('go: downloading')) log.info(`go: ${line}`);
      },
    });
  } catch (err) {
    throw new ProvisionError(`building Alertmanager with Go failed; set ALERTMANAGER_PATH to a binary.\n${(err as Error).message}`);
  }
  log.info({ seconds: Math.round((Date.now() - started) / 1000) }, 'Alertmanager built');
  return cached;
}

/** Alertmanager on a free loopback port with its own storage and no clustering; `stop` ends it and removes its folder. */
export async function startAlertmanager(binary: string, configYaml: string) {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'dbops-alertmanager-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, configYaml, { mode: 0o600 });
  const port = await freePort();
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const server = watchServer(child, 'alertmanager', { keepChars: 8000, reasonChars: 2000 });
  try {
    await waitForPort(port, child, 30_000, 'alertmanager', server.output);
  } catch (err) {
    await server.stop(2000);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    output: server.output,
    async stop() {
      await server.stop(5000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
