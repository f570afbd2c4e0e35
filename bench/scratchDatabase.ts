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
