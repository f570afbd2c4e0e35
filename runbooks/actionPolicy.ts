import { INTEGRATION_ROLE, type ActingRole, type Role, type Severity } from './types';

/**
 * Who may do what to an incident or a checklist: one table, read by every Update validator, printed by `dbops
 * policy`. Being on the roster is not enough to silence an outage: lowering an unanswered critical incident, re-running
 * a failover or closing an incident each takes a part in that incident.
 */

export const ACTIONS = [
  'acknowledge',
  'note',
  'raise-severity',
  'lower-severity',
  'classify',
  'complete-step',
  'approve-step',
  'reject-step',
  'retry-step',
  'skip-step',
  'abort-steps',
  'resolve',
  'snooze',
  'unsnooze',
  'sign-checklist-item',
  'maintenance',
  'drill',
] as const;
export type Action = (typeof ACTIONS)[number];

/** One way of being entitled. A rule is met by any one of its entitlements. */
export type Entitlement =
  /** Holds one of these roles (in the roster in force); `name` says what the group is, for people. */
  | { kind: 'role'; roles: ActingRole[]; name?: string }
  /** Holds a role on any rung of this incident's escalation ladder. */
  | { kind: 'ladder' }
  /** Was paged for this incident. */
  | { kind: 'paged' }
  /** Acknowledged this incident. */
  | { kind: 'acknowledger' }
  /** Holds one of the roles the step names as its approvers (failover: database-lead, engineering-manager, cto). */
  | { kind: 'step-approver' }
  /** Holds one of the roles the checklist item names for its sign-off. */
  | { kind: 'item-signer' }
  /** Anyone on the roster. */
  | { kind: 'roster' };

/** When a row applies; rows of one action are read in order and the first that applies decides. */
export const CONDITIONS = {
  /** Nobody has acknowledged the incident and its severity is critical or high: its pages are urgent. */
  'unacknowledged-urgent': 'unacknowledged and critical or high',
} as const;
export type Condition = keyof typeof CONDITIONS;

export interface PolicyRule {
  /** Named in every refusal: `<action>` or `<action>.<condition>`. */
  id: string;
  action: Action;
  when?: Condition;
  anyOf: Entitlement[];
  /** The person must say why (recorded in the audit and told to everyone paged). */
  reasonRequired?: boolean;
}

export type ActionPolicy = PolicyRule[];

/** The database operations team, runbook levels 1 and 2: they may pick up any incident. */
const OPS_TEAM: Entitlement = {
  kind: 'role',
  name: 'operations team',
  roles: ['database-lead', 'on-call-engineer', 'senior-engineer', 'engineering-manager'],
};
const INTEGRATION: Entitlement = { kind: 'role', name: 'monitoring integration', roles: [INTEGRATION_ROLE] };
/**
 * Who plans and carries out maintenance: a window silences every alert in its scope for hours, so it is made (and
 * ended) by the people who plan the work, not by whoever its pages would wake: the on-call engineer answers pages
 * and snoozes one incident; a window over a tier is agreed with the database lead.
 */
const MAINTAINERS: Entitlement = {
  kind: 'role',
  name: 'maintenance planners',
  roles: ['database-lead', 'senior-engineer', 'engineering-manager'],
};
/**
 * Who may run a drill: it pages the real ladder (people are woken for an exercise), so it is called by the people who
 * plan the team's training and answer for its runbook, not by whoever holds the pager.
 */
const DRILL_RUNNERS: Entitlement = { kind: 'role', name: 'drill runners', roles: ['database-lead', 'engineering-manager'] };
const RESPONDER: Entitlement[] = [{ kind: 'ladder' }, { kind: 'paged' }, { kind: 'acknowledger' }];

/** The defaults a database team signs: see README "Who may act". */
export const DEFAULT_ACTION_POLICY: ActionPolicy = [
  { id: 'acknowledge', action: 'acknowledge', anyOf: [...RESPONDER, OPS_TEAM, INTEGRATION] },
  { id: 'note', action: 'note', anyOf: [{ kind: 'roster' }] },
  { id: 'raise-severity', action: 'raise-severity', anyOf: [...RESPONDER, OPS_TEAM] },
  {
    id: 'lower-severity.unacknowledged-urgent',
    action: 'lower-severity',
    when: 'unacknowledged-urgent',
    anyOf: [{ kind: 'ladder' }],
    reasonRequired: true,
  },
  { id: 'lower-severity', action: 'lower-severity', anyOf: RESPONDER, reasonRequired: true },
  { id: 'classify', action: 'classify', anyOf: [...RESPONDER, OPS_TEAM] },
  { id: 'complete-step', action: 'complete-step', anyOf: RESPONDER },
  { id: 'approve-step', action: 'approve-step', anyOf: [{ kind: 'step-approver' }] },
  { id: 'reject-step', action: 'reject-step', anyOf: [{ kind: 'step-approver' }], reasonRequired: true },
  // A retry of an approval-gated step waits for its own approval again (workflows/incident/steps.ts).
  { id: 'retry-step', action: 'retry-step', anyOf: RESPONDER },
  { id: 'skip-step', action: 'skip-step', anyOf: RESPONDER },
  { id: 'abort-steps', action: 'abort-steps', anyOf: RESPONDER, reasonRequired: true },
  { id: 'resolve', action: 'resolve', anyOf: RESPONDER },
  // Snoozing silences pages for a while, like lowering the severity: it takes a part in the incident and a reason,
  // which everyone paged is told. The operations team at large may acknowledge (take it), but not put it to sleep.
  { id: 'snooze', action: 'snooze', anyOf: RESPONDER, reasonRequired: true },
  // Ending a snooze early only makes the incident page again: anyone on the roster may wake it.
  { id: 'unsnooze', action: 'unsnooze', anyOf: [{ kind: 'roster' }] },
  { id: 'sign-checklist-item', action: 'sign-checklist-item', anyOf: [{ kind: 'item-signer' }] },
  // Making or ending a maintenance window (issue 25): with a reason, audited with the window.
  { id: 'maintenance', action: 'maintenance', anyOf: [MAINTAINERS], reasonRequired: true },
  // Opening a drill of a runbook (issue 26, docs/drills.md): marked DRILL everywhere, out of the SLA report.
  { id: 'drill', action: 'drill', anyOf: [DRILL_RUNNERS] },
];

/** What a rule looks at: the actor and the incident (or checklist item) as they are now. */
export interface PolicyFacts {
  actor: string;
  actorRoles: readonly ActingRole[];
  /** Roles on every rung of the incident's ladder. */
  ladderRoles?: readonly Role[];
  /** People paged for the incident so far. */
  paged?: readonly string[];
  acknowledgedBy?: string;
  severity?: Severity;
  stepApprovalRoles?: readonly Role[];
  itemSignOffRoles?: readonly Role[];
  reason?: string;
}

/** A refusal says what was missing (an entitlement, or the reason the rule asks for) and why, in words. */
export type PolicyDecision =
  { allowed: true; rule: PolicyRule } | { allowed: false; rule: PolicyRule; missing: 'entitlement' | 'reason'; why: string };

function applies(rule: PolicyRule, f: PolicyFacts): boolean {
  switch (rule.when) {
    case undefined:
      return true;
    case 'unacknowledged-urgent':
      return !f.acknowledgedBy && (f.severity === 'critical' || f.severity === 'high');
  }
}

function meets(e: Entitlement, f: PolicyFacts): boolean {
  const holdsOneOf = (roles: readonly ActingRole[] | undefined) => !!roles?.some((r) => f.actorRoles.includes(r));
  switch (e.kind) {
    case 'role':
      return holdsOneOf(e.roles);
    case 'ladder':
      return holdsOneOf(f.ladderRoles);
    case 'paged':
      return !!f.paged?.includes(f.actor);
    case 'acknowledger':
      return f.acknowledgedBy === f.actor;
    case 'step-approver':
      return holdsOneOf(f.stepApprovalRoles);
    case 'item-signer':
      return holdsOneOf(f.itemSignOffRoles);
    case 'roster':
      return f.actorRoles.length > 0;
  }
}

/** The rule that decides `action` for these facts: the first of the action's rows that applies. */
export function ruleFor(policy: ActionPolicy, action: Action, f: PolicyFacts): PolicyRule {
  const rule = policy.find((r) => r.action === action && applies(r, f));
  if (!rule) throw new Error(`the action policy has no rule for '${action}'`);
  return rule;
}

/** Whether the actor may do `action`; a refusal says which rule, and what it takes, in plain words. */
export function decide(policy: ActionPolicy, action: Action, f: PolicyFacts): PolicyDecision {
  const rule = ruleFor(policy, action, f);
  if (!rule.anyOf.some((e) => meets(e, f))) {
    return {
      allowed: false,
      rule,
      missing: 'entitlement',
      why: `it takes ${rule.anyOf.map((e) => describeEntitlement(e, f)).join(', or ')}`,
    };
  }
  if (rule.reasonRequired && !f.reason?.trim()) return { allowed: false, rule, missing: 'reason', why: 'it takes a reason' };
  return { allowed: true, rule };
}

/** An entitlement in words; with facts, the roles it names for this incident. */
export function describeEntitlement(e: Entitlement, f?: PolicyFacts): string {
  const roles = (rs: readonly string[] | undefined) => (rs?.length ? ` (${rs.join(', ')})` : '');
  switch (e.kind) {
    case 'role':
      return e.name ? `the ${e.name} (${e.roles.join(', ')})` : `one of the roles ${e.roles.join(', ')}`;
    case 'ladder':
      return `a role on this incident's escalation ladder${roles(f?.ladderRoles)}`;
    case 'paged':
      return 'having been paged for it';
    case 'acknowledger':
      return 'having acknowledged it';
    case 'step-approver':
      return `one of the step's approver roles${roles(f?.stepApprovalRoles)}`;
    case 'item-signer':
      return `one of the item's sign-off roles${roles(f?.itemSignOffRoles)}`;
    case 'roster':
      return 'being on the roster';
  }
}
