import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

/**
 * With DBOPS_RECORD_HISTORIES=1, keeps a finished workflow's history under test/histories/ for the replay test.
 * Re-record only for a deliberate, versioned workflow change, beside the old ones (DBOPS_HISTORY_TAG names the
 * version: `<name>@<tag>.json`): the committed histories are what in-flight workflows look like, and replaying all
 * of them is how a breaking change is caught.
 */
export async function maybeRecordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.DBOPS_RECORD_HISTORIES !== '1') return;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
  const json = temporal.api.history.v1.History.toObject(history, { longs: String, enums: String, bytes: String });
  const tag = process.env.DBOPS_HISTORY_TAG ? `@${process.env.DBOPS_HISTORY_TAG}` : '';
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}${tag}.json`), JSON.stringify(json, null, 1));
}

/** Reads a history written by maybeRecordHistory. */
export function readHistory(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
}
