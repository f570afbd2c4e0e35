import type { Roster } from '../runbooks/roster';
import { ROLES, type Role } from '../runbooks/types';
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
 * one added may, without a restart. Its roles are checked against the runbook in force's (`roles`, default the shipped
 * ones), and it is checked again when those change. An edit that does not parse keeps the roster in force
 * (lib/fileInForce.ts).
 */
export function rosterInForce(file: string, log?: Logger, roles: () => readonly Role[] = () => ROLES): () => RosterInForce {
  let accepted = roles();
  // Reads check the roles accepted now: after the runbook's roles change, so does the next read of the file.
  const inForceWith = () => fileInForce(file, (f) => read(f, accepted), 'roster', log);
  let inForce = inForceWith();
  return () => {
    const now = roles();
    if (now.join() !== accepted.join()) {
      accepted = now;
      try {
        inForce = inForceWith();
      } catch (err) {
        // A runbook that drops a role someone holds keeps the roster in force, and says why.
        log?.error({ err, file }, 'the roster does not fit the runbook in force’s roles; the previous roster stays in force');
      }
    }
    return inForce();
  };
}

function read(file: string, roles: readonly Role[]): RosterInForce {
  const { roster, raw } = readRosterFile(file, roles);
  return { roster, version: versionOf(raw) };
}
