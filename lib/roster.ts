import { parseRoster, type Roster } from '../runbooks/roster';
import type { Role } from '../runbooks/types';
import { readJsonFile } from './fileInForce';

/** Reads the roster file (JSON) that maps the runbook's roles (default: the shipped runbook's) to people. */
export function loadRoster(file: string, roles?: readonly Role[]): Roster {
  return readRosterFile(file, roles).roster;
}

/** The roster in a file, with the text it was parsed from (its version is a hash of that text). */
export function readRosterFile(file: string, roles?: readonly Role[]): { roster: Roster; raw: string } {
  const { data, raw } = readJsonFile(file, 'roster', 'set DBOPS_ROSTER to a JSON roster (see config/roster.example.json)');
  return { roster: parseRoster(data, `roster file ${file}`, roles), raw };
}
