import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Roster } from '../runbooks/roster';
import { readRosterFile } from './roster';
import type { Logger } from './logger';

export interface RosterInForce {
  roster: Roster;
  /** First 16 hex digits of the file's SHA-256: which roster a decision was made with (recorded in the audit). */
  version: string;
}

/**
 * The roster file as it is now: re-read whenever its modification time or size changes, so a person removed from
 * the file may no longer act and one added may, without a restart. An edit that does not parse keeps the roster
 * in force (and says why once per edit): a typo must not lock everybody out.
 */
export function rosterInForce(file: string, log?: Logger): () => RosterInForce {
  let current = read(file);
  let stamp = stampOf(file);
  return () => {
    const now = stampOf(file);
    if (now !== stamp) {
      stamp = now;
      try {
        const next = read(file);
        if (next.version !== current.version) log?.info({ file, from: current.version, to: next.version }, 'roster reloaded');
        current = next;
      } catch (err) {
        log?.error({ err, file, version: current.version }, 'roster file changed but cannot be used; the previous roster stays in force');
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

function read(file: string): RosterInForce {
  const { roster, raw } = readRosterFile(file);
  return { roster, version: createHash('sha256').update(raw).digest('hex').slice(0, 16) };
}
