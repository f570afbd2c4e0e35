import { NO_SCHEDULES, parseSchedules, type Schedules } from '../runbooks/onCallSchedule';
import type { Roster } from '../runbooks/roster';
import type { Role } from '../runbooks/types';
import { fileInForce, readJsonFile, versionOf } from './fileInForce';
import type { Logger } from './logger';
import type { RosterInForce } from './rosterInForce';

export interface SchedulesInForce {
  schedules: Schedules;
  /** First 16 hex digits of the file's SHA-256 (recorded with the roster version); 'none' without a file. */
  version: string;
}

/** Without DBOPS_SCHEDULES every role is held by its people on the roster, as before schedules. */
export const ROSTER_ONLY: SchedulesInForce = { schedules: NO_SCHEDULES, version: 'none' };

/** Reads a schedules file (JSON); every participant must be on the roster given, every role the runbook's. Errors name the field. */
export function readSchedulesFile(file: string, roster: Roster, roles?: readonly Role[]): SchedulesInForce {
  const { data, raw } = readJsonFile(
    file,
    'schedules',
    'set DBOPS_SCHEDULES to a JSON file of schedules (see config/schedules.example.json)',
  );
  return { schedules: parseSchedules(data, `schedules file ${file}`, roster, roles), version: versionOf(raw) };
}

/**
 * The schedules file as it is now (re-read when it changes, checked against the roster in force and the runbook in
 * force's roles); no file: the roster alone.
 */
export function schedulesInForce(
  file: string | undefined,
  roster: () => RosterInForce,
  log?: Logger,
  roles?: () => readonly Role[],
): () => SchedulesInForce {
  if (!file) return () => ROSTER_ONLY;
  return fileInForce(file, (f) => readSchedulesFile(f, roster().roster, roles?.()), 'schedules', log);
}
