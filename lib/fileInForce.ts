import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from './logger';

/** First 16 hex digits of a file's SHA-256: which version of it a decision was made with (recorded in the audit). */
export const versionOf = (raw: string) => createHash('sha256').update(raw).digest('hex').slice(0, 16);

/** A configuration file's JSON, or an error naming the file and how to set it (`hint`). */
export function readJsonFile(file: string, what: string, hint: string): { data: unknown; raw: string } {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${what} file ${file} cannot be read: ${hint}`);
  }
  try {
    return { data: JSON.parse(raw), raw };
  } catch (err) {
    throw new Error(`${what} file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * A configuration file as it is now: re-read whenever its modification time, size or inode changes, so an edit
 * takes effect without a restart. An edit that does not parse keeps the version in force (and says why once per
 * edit): a typo must not lock everybody out or empty a schedule.
 */
export function fileInForce<T extends { version: string }>(file: string, read: (file: string) => T, what: string, log?: Logger): () => T {
  let current = read(file);
  let stamp = stampOf(file);
  return () => {
    const now = stampOf(file);
    if (now !== stamp) {
      stamp = now;
      try {
        const next = read(file);
        if (next.version !== current.version) log?.info({ file, from: current.version, to: next.version }, `${what} reloaded`);
        current = next;
      } catch (err) {
        log?.error({ err, file, version: current.version }, `${what} file changed but cannot be used; the previous ${what} stays in force`);
      }
    }
    return current;
  };
}

function stampOf(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}
