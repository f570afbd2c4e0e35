import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Pool } from 'pg';
import { registerSearchAttributes } from '../../client/temporal/registerSearchAttributes';
import type { Logger } from '../../lib/logger';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared/searchAttributes';
import { keepRunning, type KeptRunning } from './keepRunning';
import { canListen, freePort, ProvisionError, runCommand, waitForPort, watchServer } from './processes';
import type { RunningTemporal } from './devServer';
import type { TemporalServerBinaries } from './temporalServerBinaries';

/** Temporal's two databases, as the auto-setup image names them. */
const DATABASES = [
  { name: 'temporal', schema: 'schema/postgresql/v12/temporal/versioned' },
  { name: 'temporal_visibility', schema: 'schema/postgresql/v12/visibility/versioned' },
] as const;

export interface TemporalServerOptions {
  binaries: TemporalServerBinaries;
  /** A PostgreSQL role that may create databases; Temporal's two databases are made on its server. */
  adminUrl: string;
  /** Folder for the generated config; the server keeps no state of its own outside PostgreSQL. */
  dir: string;
  log: Logger;
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  namespace?: string;
}

export interface RunningTemporalServer extends RunningTemporal, Omit<KeptRunning, 'stop'> {
  /** Where the server's own Prometheus metrics are. */
  metricsUrl: string;
}

/**
 * The real Temporal server on PostgreSQL, as `temporalio/auto-setup` does it: creates its databases, applies the
 * module's versioned schemas with the SQL tool (idempotent), starts the server, then registers the namespace and
 * dbops' search attributes and waits until the frontend knows both. A server that dies is started again on the same
 * config and ports, as the workers and APIs are: its state is in PostgreSQL, and they reconnect to the same address.
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<RunningTemporalServer> {
  const { binaries, log } = opts;
  const namespace = opts.namespace ?? 'default';
  const pg = new URL(opts.adminUrl);
  await applySchemas(binaries, pg, log);

  const ports = {
    frontend: opts.port ?? (await freePort()),
    http: await freePort(),
    metrics: await freePort(),
    // Membership ports are stored in a smallint column: below 32768, where the kernel's ephemeral ports are not.
    membership: { frontend: await lowPort(), history: await lowPort(), matching: await lowPort(), worker: await lowPort() },
    grpc: { history: await freePort(), matching: await freePort(), worker: await freePort() },
  };
  const configDir = path.join(opts.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
  // The file holds the database password: its owner's only.
  fs.writeFileSync(path.join(configDir, 'production-local.yaml'), serverConfig(pg, ports, dynamicConfigFile), { mode: 0o600 });

  const launch = () => {
    const child = spawn(
      binaries.server,
      ['--root', opts.dir, '--config', 'config', '--env', 'production-local', '--allow-no-auth', 'start'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group: a Ctrl-C reaches the supervisor, which stops the server last
      },
    );
    const watched = watchServer(child, 'the Temporal server', { keepChars: 6000, reasonChars: 800 });
    return { process: child, stop: () => watched.stop(15_000), output: watched.output };
  };
  const first = launch();
  const address = `127.0.0.1:${ports.frontend}`;
  try {
    await waitForPort(ports.frontend, first.process, 120_000, 'the Temporal server', first.output);
    await registerNamespace(address, namespace, log, () => {
      if (first.process.exitCode !== null || first.process.signalCode !== null)
        throw new ProvisionError(`the Temporal server exited:\n${first.output().slice(-1500)}`);
    });
  } catch (err) {
    await first.stop();
    throw err;
  }
  log.debug({ address, pid: first.process.pid }, 'Temporal server up');
  const kept = keepRunning('the Temporal server', launch, { log, first });
  return {
    address,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    pid: kept.pid,
    restarts: kept.restarts,
    kill: kept.kill,
    stop: kept.stop,
  };
}

/** A free loopback port between 20000 and 32767. */
async function lowPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await canListen(port)) return port;
  }
  throw new ProvisionError('no free port between 20000 and 32767 for the Temporal server membership');
}

/** create-database and setup-schema once; update-schema every time (a no-op when the schema is current). */
async function applySchemas(binaries: TemporalServerBinaries, pg: URL, log: Logger) {
  const admin = new Pool({ connectionString: pg.toString(), max: 1 });
  try {
    for (const db of DATABASES) {
      const connection = [
        '--plugin',
        'postgres12',
        '--ep',
        pg.hostname,
        '-p',
        pg.port || '5432',
        '-u',
        decodeURIComponent(pg.username),
        '--pw',
        decodeURIComponent(pg.password),
        '--db',
        db.name,
      ];
      const run = (args: string[]) =>
        runCommand(binaries.sqlTool, [...connection, ...args], { onLine: (line) => log.debug({ sqlTool: line }) }).catch((err) => {
          throw new ProvisionError(`Temporal's SQL tool failed on database ${db.name}: ${(err as Error).message}`);
        });
      const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name])).rowCount;
      if (!exists) await run(['create-database']);
      if (!(await hasSchemaVersion(pg, db.name))) await run(['setup-schema', '-v', '0.0']);
      await run(['update-schema', '-d', path.join(binaries.moduleDir, db.schema)]);
      log.info({ database: db.name }, 'Temporal schema current');
    }
  } finally {
    await admin.end();
  }
}

async function hasSchemaVersion(pg: URL, database: string): Promise<boolean> {
  const url = new URL(pg);
  url.pathname = `/${database}`;
  const pool = new Pool({ connectionString: url.toString(), max: 1 });
  try {
    const { rows } = await pool.query<{ table: string | null }>(`SELECT to_regclass('schema_version')::text AS table`);
    return rows[0]?.table != null;
  } finally {
    await pool.end();
  }
}

/**
 * Registers the namespace and search attributes (both idempotent), then waits until a visibility query naming one
 * of them is answered: a real server learns of a new namespace from its cache, refreshed every few seconds.
 */
async function registerNamespace(address: string, namespace: string, log: Logger, requireRunning: () => void) {
  const deadline = Date.now() + 120_000;
  let lastError: unknown;
  let connection: Connection | undefined;
  try {
    while (Date.now() < deadline) {
      requireRunning();
      try {
        // The frontend listens before its health check passes: connecting is retried like the rest.
        connection ??= await Connection.connect({ address, connectTimeout: '5 seconds' });
        await connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') })
          .catch((err: { code?: number }) => {
            if (err.code !== 6 /* ALREADY_EXISTS */) throw err;
          });
        await registerSearchAttributes(connection, namespace);
        await connection.workflowService.listWorkflowExecutions({
          namespace,
          pageSize: 1,
          query: `${ALL_SEARCH_ATTRIBUTES[0]!.name} = 'ready-check'`,
        });
        log.info({ namespace }, 'namespace and search attributes registered');
        return;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    throw new ProvisionError(`the Temporal server did not accept namespace ${namespace} within 120 s: ${(lastError as Error)?.message}`);
  } finally {
    await connection?.close();
  }
}

// A real server learns of namespaces and search attributes from caches; refreshed quickly so start-up is quick.
const DYNAMIC_CONFIG = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
`;

/** The module's config/development-postgres12.yaml with our ports and database, and no archival. */
function serverConfig(
  pg: URL,
  p: {
    frontend: number;
    http: number;
    metrics: number;
    membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>;
    grpc: Record<'history' | 'matching' | 'worker', number>;
  },
  dynamicConfigFile: string,
): string {
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: ${q(database)}
        connectAddr: ${q(`${pg.hostname}:${pg.port || '5432'}`)}
        connectProtocol: "tcp"
        user: ${q(decodeURIComponent(pg.username))}
        password: ${q(decodeURIComponent(pg.password))}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, extra = '') => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 4)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${p.metrics}"

services:
  frontend:${service(p.frontend, p.membership.frontend, `\n      httpPort: ${p.http}`)}
  matching:${service(p.grpc.matching, p.membership.matching)}
  history:${service(p.grpc.history, p.membership.history)}
  worker:${service(p.grpc.worker, p.membership.worker)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${p.frontend}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: ${q(dynamicConfigFile)}
  pollInterval: "10s"
`;
}
