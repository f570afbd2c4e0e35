import crypto from 'node:crypto';
import { Client, Pool } from 'pg';
import { migrate } from '../db/migrate';

export interface ScratchDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database on a PostgreSQL server, for a test file or a benchmark; drop() removes it. */
export async function createScratchDatabase(serverUrl: string, prefix = 'scratch', migrationsDir?: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Same size as the service's audit pool (lib/activityDependencies.ts).
  const pool = new Pool({ connectionString: url.toString(), max: 10 });
  // An idle connection ended by DROP DATABASE … WITH (FORCE), or by the server stopping, is expected here.
  pool.on('error', () => undefined);
  await migrate(pool, migrationsDir);
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
