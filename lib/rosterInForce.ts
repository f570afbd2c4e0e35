import type { Roster } from '../runbooks/roster';
import { fileInForce, versionOf } from './fileInForce';
import { readRosterFile } from './roster';
import type { Logger } from './logger';

export interface RosterInForce {
  roster: Roster;
  /** First 16 hex digits of the file's SHA-256: which roster a decision was made with (recorded in the audit). */
  version: string;
}

/**
 * The roster file as it is now: re-read when it changes, so a person removed from the file may no longer act and
 * one added may, without a restart. An edit that does not parse keeps the roster in force (lib/fileInForce.ts).
 */
export function rosterInForce(file: string, log?: Logger): () => RosterInForce {
  return fileInForce(file, read, 'roster', log);
}

function read(file: string): RosterInForce {
  const { roster, raw } = readRosterFile(file);
  return { roster, version: versionOf(raw) };
}
