import type { ActionPolicy } from './actionPolicy';
import { lifecyclePlan, type FlapSettings, type LifecyclePlan } from './alertLifecycle';
import { GENERAL_ESCALATION_PATH } from './escalationLevels';
import { peopleWithRole, type Roster } from './roster';
import { SEVERITY_DEFINITIONS } from './severities';
import type {
  BusinessCalendar,
  ClassifiedTypeId,
  IncidentTypeDefinition,
  IncidentTypeId,
  Role,
  Severity,
  SeverityDefinition,
} from './types';
import { BUILT_IN_RUNBOOK, primaryOf, type Runbook } from './runbook';

export interface Contact {
  id: string;
  name: string;
  role: Role;
  channels: { email?: string; phone?: string; slack?: string; webhook?: string };
}

/** Someone who may act on an incident or checklist, with the roles that entitle them. */
export interface Responder {
  id: string;
  roles: Role[];
}

/** One rung of an incident's escalation ladder: the roles paged together, resolved to people. */
export interface LadderRung {
  roles: Role[];
  contacts: Contact[];
}

/**
 * Everything an incident needs from the runbook and roster, frozen when it opens: later edits to either never
 * change an incident in flight (and so never break its replay).
 */
export interface IncidentPlan {
  runbookVersion: string;
  type: IncidentTypeDefinition;
  severities: Record<Severity, SeverityDefinition>;
  /**
   * Rung 0 (level 1) is paged when the incident opens; each missed deadline climbs one rung, and after the top the
   * ladder starts again from level 1 (type.ladderPasses). Levels are numbered from 1 wherever a person reads them.
   */
  ladder: LadderRung[];
  /** Everyone who may act on the incident, with their roles (for entitlement checks). */
  responders: Responder[];
  calendar: BusinessCalendar;
  /** Who may do what (absent in plans frozen before the policy: the built-in one decides). */
  policy?: ActionPolicy;
  /** An unclassified incident's choices: each type it may be classified as, frozen with the rest of the plan. */
  classifyInto?: Partial<Record<ClassifiedTypeId, IncidentTypeDefinition>>;
  /** Acknowledgement timeout, snooze bound, hold and reopen window (absent in plans frozen before alert-lifecycle). */
  lifecycle?: LifecyclePlan;
  /** Where each tier's primary's connection string lives (runbook files, for probes; absent when the type has no probe). */
  tierDatabases?: Record<string, { connectionEnv?: string }>;
}

/** Each tier's primary's connection variable, frozen for a type with probes (so a file change never moves a probe). */
function probeConnections(runbook: Runbook): Record<string, { connectionEnv?: string }> {
  return Object.fromEntries(
    Object.entries(runbook.tiers).map(([id, tier]) => {
      const env = primaryOf(tier)?.connectionEnv;
      return [id, env ? { connectionEnv: env } : {}];
    }),
  );
}

/**
 * The ladder: the on-call engineer with the type's first role, then the rest of the type's path, then the roles of
 * the general path that rank above every general-path role already on it (so an unanswered incident always reaches
 * leadership, and never climbs back down).
 */
export function escalationRoles(type: IncidentTypeDefinition, generalPath: readonly Role[] = GENERAL_ESCALATION_PATH): Role[][] {
  const [first, ...rest] = type.escalationPath;
  const rungs: Role[][] = [first === 'on-call-engineer' ? [first] : ['on-call-engineer', first]];
  for (const role of rest) rungs.push([role]);
  const highest = Math.max(-1, ...type.escalationPath.map((r) => generalPath.indexOf(r)));
  for (const role of generalPath.slice(highest + 1)) rungs.push([role]);
  return rungs;
}

/**
 * `flap`: the routing rule's hold and reopen window for the alert, which win over the type's. `runbook`: the runbook
 * in force (lib/runbookFile.ts), whose version the plan records; the shipped one when not given.
 */
export function buildIncidentPlan(
  typeId: IncidentTypeId,
  roster: Roster,
  calendar: BusinessCalendar,
  flap: FlapSettings = {},
  runbook: Runbook = BUILT_IN_RUNBOOK,
): IncidentPlan {
  const type = runbook.incidentTypes[typeId];
  if (!type)
    throw new Error(`runbook ${runbook.version} has no incident type '${typeId}'; it has ${Object.keys(runbook.incidentTypes).join(', ')}`);
  const ladder = escalationRoles(type, runbook.generalEscalationPath).map((roles) => ({
    roles,
    contacts: roles.flatMap((role) => peopleWithRole(roster, role).map((p) => ({ id: p.id, name: p.name, role, channels: p.channels }))),
  }));
  return {
    runbookVersion: runbook.version,
    type,
    severities: SEVERITY_DEFINITIONS,
    ladder,
    responders: roster.people.map((p) => ({ id: p.id, roles: p.roles })),
    calendar,
    policy: runbook.actionPolicy,
    lifecycle: lifecyclePlan(type, flap),
    ...(type.steps.some((step) => step.kind === 'probe') && { tierDatabases: probeConnections(runbook) }),
    ...(typeId === 'unclassified' && {
      classifyInto: Object.fromEntries(
        Object.values(runbook.incidentTypes)
          .filter((t) => t.id !== 'unclassified')
          .map((t) => [t.id, t]),
      ),
    }),
  };
}
