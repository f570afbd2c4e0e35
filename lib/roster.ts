import fs from 'node:fs';
import { parseRoster, type Roster } from '../runbooks/roster';

/** Reads the roster file (JSON) that maps the runbook's roles to people. */
export function loadRoster(file: string): Roster {
  return readRosterFile(file).roster;
}

/** The roster in a file, with the text it was parsed from (its version is a hash of that text). */
export function readRosterFile(file: string): { roster: Roster; raw: string } {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`roster file ${file} cannot be read: set DBOPS_ROSTER to a JSON roster (see config/roster.example.json)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (err) {
    throw new Error(`roster file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return { roster: parseRoster(data, `roster file ${file}`), raw };
}
