import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { withTransaction } from './transaction';

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/**
 * Applies db/migrations/*.sql in name order, each once, in one transaction (DDL is transactional in PostgreSQL:
 * a failing migration leaves nothing half-done), under an advisory lock so concurrent starters wait. `dir`: for code
 * bundled elsewhere (the CLI's bundle in dist/cli), where this file's own folder is not the checkout's.
 */
export function migrate(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(7261001)');
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      if (done.has(file)) continue;
      try {
        await client.query(fs.readFileSync(path.join(dir, file), 'utf8'));
      } catch (err) {
        throw new Error(`migration ${file} failed: ${(err as Error).message}`);
      }
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}
