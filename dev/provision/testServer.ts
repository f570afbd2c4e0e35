import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { findOnPath, ProvisionError, runCommand } from './processes';

const POM = path.resolve(__dirname, '../../tools/test-server/pom.xml');

/**
 * Resolves Temporal's Java test server from Maven Central into the cache and writes a launcher script that the SDK
 * runs as `<launcher> <port> [extra args]`. Returns the launcher's path.
 */
export async function provisionTestServer(opts: { cacheDir: string; log: Logger }): Promise<string> {
  const dir = path.join(opts.cacheDir, 'test-server');
  const jars = path.join(dir, 'jars');
  const done = path.join(jars, '.complete');
  const launcher = path.join(dir, 'launch.sh');
  const java = findOnPath('java');
  if (!java)
    throw new ProvisionError(
      'java is not on PATH: the time-skipping test server needs a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless).',
    );

  if (!fs.existsSync(done)) {
    const mvn = findOnPath('mvn');
    if (!mvn)
      throw new ProvisionError(
        'mvn is not on PATH: it resolves the Temporal test server from Maven Central once (e.g. apt-get install maven).',
      );
    opts.log.info('resolving the Temporal test server from Maven Central (once; cached afterwards)');
    const started = Date.now();
    fs.mkdirSync(jars, { recursive: true });
    await runCommand(mvn, ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${jars}`]);
    fs.writeFileSync(done, new Date().toISOString());
    opts.log.info({ seconds: Math.round((Date.now() - started) / 1000) }, 'Temporal test server resolved');
  }

  // The SDK waits only a few seconds for the port, and its lock/unlock calls expect the server's default start
  // state (no --enable-time-skipping). The JVM skips the slow JIT tiers to come up fast on a loaded machine.
  const script = `#!/bin/sh
# Written by dbops (lib/provision/testServer.ts): runs Temporal's Java test server; args: <port>
exec "${java}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms64m -cp "${fs.realpathSync(jars)}/*" io.temporal.testserver.TestServer "$@"
`;
  // The jars by their real path: a cache reached through a symlink (a throwaway data folder's) must not leave a
  // launcher pointing into that folder after it is gone. Written aside and renamed: a server starting meanwhile
  // reads the old launcher or the new one, never half of one.
  if (!fs.existsSync(launcher) || fs.readFileSync(launcher, 'utf8') !== script) {
    const written = `${launcher}.${process.pid}`;
    fs.writeFileSync(written, script, { mode: 0o755 });
    fs.renameSync(written, launcher);
  }
  return launcher;
}
