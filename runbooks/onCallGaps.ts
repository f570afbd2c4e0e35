/**
 * Gaps: windows in which a role some escalation ladder pages has nobody. Found ahead (`dbops oncall check`), because
 * a page into a gap reaches nobody at that rung.
 */
import { segmentsBetween, type Override } from './onCall';
import type { Schedules } from './onCallSchedule';
import { escalationRoles } from './plan';
import { BUILT_IN_RUNBOOK, type Runbook } from './runbook';
import type { Roster } from './roster';
import type { Role } from './types';

export interface Gap {
  role: Role;
  start: number;
  end: number;
}

/** Every role on any incident type's escalation ladder, in ladder order (the runbook in force's types). */
export function ladderRoles(runbook: Runbook = BUILT_IN_RUNBOOK): Role[] {
  return [...new Set(Object.values(runbook.incidentTypes).flatMap((type) => escalationRoles(type, runbook.generalEscalationPath).flat()))];
}

/** The windows within [from, to) in which each role has no holder (schedule, overrides and roster together). */
export function findGaps(
  schedules: Schedules,
  overrides: readonly Override[],
  roster: Roster,
  roles: readonly Role[],
  from: number,
  to: number,
): Gap[] {
  return roles.flatMap((role) =>
    segmentsBetween(schedules, overrides, roster, role, from, to)
      .filter((s) => s.holders.length === 0)
      .map((s) => ({ role, start: s.start, end: s.end })),
  );
}
