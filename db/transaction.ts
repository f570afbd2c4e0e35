import type { Pool, PoolClient } from 'pg';

/**
 * Runs fn inside BEGIN … COMMIT on one pooled connection, rolling back on error. While checked out, a connection
 * the server ends (a restart, a shutdown) must not crash the process: the query in flight rejects instead.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(ignore);
    throw err;
  } finally {
    client.removeListener('error', ignore);
    client.release();
  }
}
