import { DEFAULT_ACTION_POLICY, type ActionPolicy } from './actionPolicy';
import type { ChecklistId } from './types';
import { CHECKLISTS, type ChecklistDefinition } from './checklists';
import { ESCALATION_LEVELS } from './escalationLevels';
import type { Contact, Responder } from './plan';
import { peopleWithRole, type Roster } from './roster';
import { TIERS, type Role, type Tier } from './types';
import { RUNBOOK_VERSION } from './version';

/** One escalation level with its people, for overdue checklist items. */
export interface ChecklistEscalationLevel {
  level: number;
  name: string;
  /** Minutes after an item falls due at which this level is paged (seed: immediate, within 30 min, within 1 h). */
  afterMinutes: number;
  contacts: Contact[];
}

/** What a checklist run needs, frozen when the schedule is applied (or the run is started by hand). */
export interface ChecklistPlan {
  runbookVersion: string;
  definition: ChecklistDefinition;
  tiers: Tier[];
  levels: ChecklistEscalationLevel[];
  responders: Responder[];
  /** Who may sign an item off: the runbook's action policy (absent in runs started before it travelled here: the built-in one). */
  policy?: ActionPolicy;
}

/** The runbook a plan is frozen from: its version (recorded with the run) and its action policy. */
export interface ChecklistRunbook {
  version: string;
  actionPolicy: ActionPolicy;
  /** Its tiers: what an item's `tiers: all` means (the shipped four when absent). */
  tiers?: Record<Tier, unknown>;
}
const BUILT_IN: ChecklistRunbook = { version: RUNBOOK_VERSION, actionPolicy: DEFAULT_ACTION_POLICY };

export function buildChecklistPlan(
  id: ChecklistId,
  roster: Roster,
  definition: ChecklistDefinition = CHECKLISTS[id],
  runbook: ChecklistRunbook = BUILT_IN,
): ChecklistPlan {
  const contactsFor = (roles: Role[]): Contact[] =>
    roles.flatMap((role) => peopleWithRole(roster, role).map((p) => ({ id: p.id, name: p.name, role, channels: p.channels })));
  return {
    runbookVersion: runbook.version,
    definition,
    tiers: runbook.tiers ? Object.keys(runbook.tiers) : [...TIERS],
    levels: ESCALATION_LEVELS.map((l) => ({
      level: l.level,
      name: l.name,
      afterMinutes: l.responseMinutes,
      contacts: contactsFor([l.primary, l.secondary]),
    })),
    responders: roster.people.map((p) => ({ id: p.id, roles: p.roles })),
    policy: runbook.actionPolicy,
  };
}
