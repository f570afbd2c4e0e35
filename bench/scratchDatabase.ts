import crypto from 'node:crypto';
import { Client, Pool } from 'pg';
import { migrate } from '../db/migrate';

export interface ScratchDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the benchmark's PostgreSQL, dropped afterwards (like test/support/database.ts). */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Same pool size as the service's audit pool (lib/activityDependencies.ts), so figures reflect production wiring.
  const pool = new Pool({ connectionString: url.toString(), max: 10 });
  ignoreIdleClientErrors(pool);
  await migrate(pool);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * An idle pooled client whose server goes away (Ctrl-C stops PostgreSQL under a running benchmark) emits 'error'
 * on the pool, which crashes the process before teardown finishes. Queries in flight still reject as usual.
 */
export function ignoreIdleClientErrors(pool: Pool): void {
  pool.on('error', () => undefined);
}
