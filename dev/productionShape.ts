import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { migrate } from '../db/migrate';
import type { Logger } from '../lib/logger';
import { buildWorkflowBundle } from '../workers/buildWorkflowBundle';
import { keepRunning } from './provision/keepRunning';
import { startEmbeddedPostgres, type RunningPostgres } from './provision/postgres';
import { freePort, ProvisionError, stopProcess } from './provision/processes';
import { startTemporalServer, type RunningTemporalServer } from './provision/temporalServer';
import { stopWithThisProcess } from './provision/watchdog';
import { findOrBuildTemporalServer } from './provision/temporalServerBinaries';

const ROOT = path.resolve(__dirname, '..');

/** One dbops process under the supervisor, restarted when it dies (docker-compose's `restart: unless-stopped`). */
export interface ManagedProcess {
  name: string;
  /** The process' HTTP base: the intake, or the worker's ops endpoint (/metrics, /healthz, /readyz). */
  url: string;
  logFile: string;
  pid(): number;
  restarts(): number;
  /** Sends a signal to the current process (SIGKILL: a host dying); the supervisor restarts it. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves once /readyz answers 200 (after a restart: the new process). */
  ready(timeoutMs?: number): Promise<void>;
}

export interface ProductionShape {
  temporal: RunningTemporalServer;
  /** The audit store (database `dbops` on the PostgreSQL that also holds Temporal's databases). */
  databaseUrl: string;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  /** The key of the integration `default` every intake accepts (DBOPS_INTAKE_KEY, or one made for this shape). */
  intakeKey: string;
  addWorker(): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export interface ProductionShapeOptions {
  /** State and logs: PostgreSQL's data, the server's config, each process' log. */
  dir: string;
  cacheDir: string;
  log: Logger;
  workers?: number;
  apis?: number;
  /** A PostgreSQL role that may create databases; an embedded server under `dir` when omitted. */
  adminUrl?: string;
  temporalPort?: number;
  /** The first intake's port (the next ones follow it); free ports when omitted. */
  intakePort?: number;
  serverPath?: string;
  sqlToolPath?: string;
  /** Where the workflow bundle is built (dist/workflow-bundle.js by default). */
  bundlePath?: string;
  /** Extra environment for every dbops process (roster, webhook URL, log level). */
  env?: Record<string, string>;
}

/**
 * docker-compose.yml's shape on one machine without Docker: the real Temporal server on PostgreSQL, dbops workers
 * running a prebuilt workflow bundle, and alert intakes, each dbops process a child that is restarted if it dies.
 */
export async function startProductionShape(o: ProductionShapeOptions): Promise<ProductionShape> {
  const { log } = o;
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporalServer | undefined;
  const processes: Supervised[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await temporal?.stop().catch((err) => log.error({ err }, 'stopping the Temporal server failed'));
    await postgres?.stop().catch((err) => log.error({ err }, 'stopping PostgreSQL failed'));
  };
  try {
    fs.mkdirSync(path.join(o.dir, 'logs'), { recursive: true });
    // The Go build (minutes, once) and the bundle (seconds) before anything runs, like an image build.
    const binaries = await findOrBuildTemporalServer({ serverPath: o.serverPath, sqlToolPath: o.sqlToolPath, cacheDir: o.cacheDir, log });
    log.info('building the workflow bundle');
    const bundlePath = await buildWorkflowBundle(o.bundlePath);

    let adminUrl = o.adminUrl;
    if (!adminUrl) {
      log.info('starting the embedded PostgreSQL');
      postgres = await startEmbeddedPostgres({ dir: path.join(o.dir, 'postgres'), log });
      adminUrl = postgres.url;
    }
    const databaseUrl = await auditDatabase(adminUrl);
    log.info('starting the Temporal server on PostgreSQL');
    temporal = await startTemporalServer({ binaries, adminUrl, dir: path.join(o.dir, 'temporal'), log, port: o.temporalPort });

    const intakeKey =
      o.env?.DBOPS_INTAKE_KEY ?? process.env.DBOPS_INTAKE_KEY ?? `dbops_key_${crypto.randomBytes(32).toString('base64url')}`;
    const common = {
      ...process.env,
      DBOPS_INTAKE_KEY: intakeKey,
      // Every process the same secret key (kept outside the store): the APIs open signing keys with it, the workers
      // sign chain heads. One of the operator's own wins.
      ...(!(o.env ?? process.env).DBOPS_SECRET_KEY && !(o.env ?? process.env).DBOPS_SECRET_KEY_FILE
        ? { DBOPS_SECRET_KEY_FILE: shapeSecretKeyFile(o.dir) }
        : {}),
      NODE_ENV: 'production',
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: databaseUrl,
      DBOPS_WORKFLOW_BUNDLE: bundlePath,
      // The embedded server runs dbops as its superuser 'postgres': that is this setup, not an intrusion.
      ...(o.adminUrl ? {} : { DBOPS_ALLOWED_SUPERUSERS: 'postgres' }),
      ...o.env,
    };
    let workerCount = 0;
    const addWorker = async () => {
      const port = await freePort();
      const p = supervise(`worker-${++workerCount}`, 'workers/main.ts', `http://127.0.0.1:${port}`, o.dir, log, {
        ...common,
        DBOPS_METRICS_ADDRESS: `127.0.0.1:${port}`,
      });
      processes.push(p);
      return p;
    };
    const workers = [];
    for (let i = 0; i < (o.workers ?? 2); i++) workers.push(await addWorker());
    const apis = [];
    for (let i = 0; i < (o.apis ?? 2); i++) {
      const port = o.intakePort ? o.intakePort + i : await freePort();
      const p = supervise(`api-${i + 1}`, 'client/api/main.ts', `http://127.0.0.1:${port}`, o.dir, log, {
        ...common,
        DBOPS_INTAKE_PORT: String(port),
      });
      processes.push(p);
      apis.push(p);
    }
    await Promise.all(processes.map((p) => p.ready()));
    return {
      temporal,
      databaseUrl,
      workers,
      apis,
      intakeKey,
      addWorker: async () => {
        const p = await addWorker();
        await p.ready();
        return p;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The audit store's own database beside Temporal's two, created and migrated once. */
async function auditDatabase(adminUrl: string): Promise<string> {
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = (await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'dbops'`)).rowCount;
    if (!exists) await admin.query('CREATE DATABASE dbops');
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = '/dbops';
  const pool = new Pool({ connectionString: url.toString(), max: 1 });
  await migrate(pool).finally(() => pool.end());
  return url.toString();
}

interface Supervised extends ManagedProcess {
  stop(): Promise<void>;
}

function supervise(name: string, entry: string, url: string, dir: string, log: Logger, env: NodeJS.ProcessEnv): Supervised {
  const logFile = path.join(dir, 'logs', `${name}.log`);
  const launch = () => {
    const out = fs.openSync(logFile, 'a', 0o600);
    // Its own process group: the terminal's Ctrl-C reaches the supervisor, which stops it before Temporal and PostgreSQL.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
      cwd: ROOT,
      env,
      stdio: ['ignore', out, out],
      detached: true,
    });
    fs.closeSync(out);
    if (child.pid) child.once('exit', stopWithThisProcess(child.pid, 'SIGTERM', name));
    return { process: child, stop: () => stopProcess(child, 30_000) };
  };
  const kept = keepRunning(name, launch, { log, logFields: { logFile } });
  return {
    name,
    url,
    logFile,
    pid: kept.pid,
    restarts: kept.restarts,
    kill: kept.kill,
    async ready(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
          if (res.ok) return;
          last = await res.text();
        } catch (err) {
          last = (err as Error).message;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new ProvisionError(`${name} was not ready within ${timeoutMs / 1000}s (${last}); see ${logFile}`);
    },
    stop: kept.stop,
  };
}

/** The shape's own secret key file (0600), made once in its folder and reused on the next start. */
function shapeSecretKeyFile(dir: string): string {
  const file = path.join(dir, 'secret-key');
  if (!fs.existsSync(file)) fs.writeFileSync(file, `local-1:${crypto.randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return file;
}
