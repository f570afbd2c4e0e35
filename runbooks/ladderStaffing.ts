import type { Schedules } from './onCallSchedule';
import { escalationRoles } from './plan';
import type { Roster } from './roster';
import type { Runbook } from './runbook';

/** A level of some ladder that would page nobody, with the field of the runbook file that puts its role there. */
export interface UnstaffedRung {
  path: (string | number)[];
  message: string;
}

/**
 * Every ladder level whose roles nobody holds: no one on the roster has any of them and no on-call schedule rotates
 * one. An incident reaching that level would page nobody, so `dbops runbook check` refuses it before it is in force.
 */
export function unstaffedRungs(runbook: Runbook, roster: Roster, schedules?: Schedules): UnstaffedRung[] {
  const staffed = (role: string) =>
    roster.people.some((p) => p.roles.includes(role)) ||
    !!schedules?.schedules.some((s) => s.role === role && s.layers.some((l) => l.participants.length > 0));
  const problems: UnstaffedRung[] = [];
  for (const [id, type] of Object.entries(runbook.incidentTypes)) {
    const ladder = escalationRoles(type, runbook.generalEscalationPath);
    const ownRungs = type.escalationPath.length;
    ladder.forEach((roles, level) => {
      if (roles.some(staffed)) return;
      // Levels 1.. come from the type's own path; the ones above from the general path.
      const role = roles.at(-1)!;
      const path =
        level < ownRungs
          ? ['incidentTypes', id, 'escalationPath', level]
          : ['generalEscalationPath', runbook.generalEscalationPath.indexOf(role)];
      problems.push({
        path,
        message: `${id}'s ladder level ${level + 1} (${roles.join(' + ')}) names nobody on the roster or an on-call schedule; accepted: a role someone holds (${[
          ...new Set(roster.people.flatMap((p) => p.roles)),
        ].join(', ')})`,
      });
    });
  }
  return problems;
}
