import { inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../dev/scratchDatabase';

export type TestDatabase = ScratchDatabase;

/** A fresh, migrated database on the run's real PostgreSQL, so a test file's rows never meet another's. */
export function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  return createScratchDatabase(inject('databaseUrl'), prefix);
}
