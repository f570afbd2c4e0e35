/**
 * What an admin command needs of the outside world, made when it runs: a Temporal client and an audit-store pool
 * (and dbops' configuration, from cliConfig.ts). Imported only by the command modules, so `dbops --help` loads none of it.
 */
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { FailedError } from './cliErrors';
import { config, runtime } from './cliConfig';

export { config, runtime };

// A server that accepts connections but never answers (stopped, overloaded) must not hang a person at a terminal.
const TEMPORAL_CONNECT_TIMEOUT_MS = 5_000;
const DATABASE_CONNECT_TIMEOUT_MS = 5_000;
const DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

export async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  if (!runtime.temporalAddress) throw new FailedError('no Temporal server: set TEMPORAL_ADDRESS, or run `npm start` first');
  const connection = await connectTemporal(runtime.temporalAddress);
  try {
    return await fn(new Client({ connection, namespace: config.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

async function connectTemporal(address: string): Promise<Connection> {
  try {
    return await Connection.connect({ address, connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw new FailedError(
      `Temporal at ${address} could not be reached (${(err as Error).message}; waited at most ${TEMPORAL_CONNECT_TIMEOUT_MS / 1000} s): ` +
        'is `npm start` running, or is TEMPORAL_ADDRESS right?',
    );
  }
}

export async function withPool<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  if (!runtime.databaseUrl) throw new FailedError('no audit database: set DATABASE_URL, or run `npm start` first');
  const pool = new Pool({
    connectionString: runtime.databaseUrl,
    max: 2,
    connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS,
    statement_timeout: DATABASE_STATEMENT_TIMEOUT_MS,
  });
  // An idle client that loses its server emits here; the query that needed it reports the failure.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1').catch((err: Error) => {
      throw new FailedError(
        `the audit store could not be reached (${err.message}; waited at most ${DATABASE_CONNECT_TIMEOUT_MS / 1000} s): ` +
          'is `npm start` running, or is DATABASE_URL right?',
      );
    });
    return await fn(pool);
  } finally {
    await pool.end();
  }
}
