/** Types of the runbook catalog: pure data that workflows interpret. No I/O may be imported here. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const TIERS = ['oltp', 'content', 'queue', 'olap'] as const;
/** A tier the runbook in force names (TIERS are the shipped runbook's; config/runbook.yaml may name others). */
export type Tier = string;

export const INCIDENT_TYPE_IDS = [
  'database-outage',
  'connection-pool-exhaustion',
  'data-integrity',
  'performance-degradation',
  'security-breach',
  // An alert no routing rule routes: paged to the first rung, its one step is a person classifying it as a real type.
  'unclassified',
] as const;
/** An incident type the runbook in force defines (INCIDENT_TYPE_IDS are the shipped runbook's; a runbook file adds others). */
export type IncidentTypeId = string;
/** The types a person may classify an unclassified incident as. */
export type ClassifiedTypeId = Exclude<IncidentTypeId, 'unclassified'>;

/** How a check, a step or a sign-off came out. */
export const OUTCOMES = ['pass', 'warn', 'fail'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What a person decides for an automated step that kept failing. */
export const STEP_DECISIONS = ['retry', 'skip', 'abort'] as const;
export type StepDecision = (typeof STEP_DECISIONS)[number];

export const INCIDENT_PHASES = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentPhase = (typeof INCIDENT_PHASES)[number];

export const CHECKLIST_IDS = ['morning', 'midday', 'end-of-day'] as const;
export type ChecklistId = (typeof CHECKLIST_IDS)[number];

export const ROLES = [
  'database-lead',
  'on-call-engineer',
  'backup-engineer',
  'engineering-manager',
  'senior-engineer',
  'cto',
  'ceo',
  'security-team',
  'legal',
  'product-owner',
] as const;
/** A role the runbook in force names (ROLES are the shipped runbook's). */
export type Role = string;

/**
 * The role a monitoring tool acts with when it acknowledges an incident through the API (as `integration:<name>`):
 * no person holds it (the roster accepts only ROLES), and no approval takes it, so a tool can acknowledge and nothing else.
 */
export const INTEGRATION_ROLE = 'monitoring-integration';
export type ActingRole = Role | typeof INTEGRATION_ROLE;

/** The automated actions an incident step may run; each is an activity in activities/incidentSteps.ts. */
export const AUTOMATED_ACTIONS = [
  'checkServiceStatus',
  'checkMonitoringAlerts',
  'checkConnectivity',
  'checkActiveQueries',
  'checkConnectionPools',
  'checkIndexUsage',
  'checkSecurityEvents',
  'notifyStakeholders',
  'executeFailover',
] as const;
export type AutomatedAction = (typeof AUTOMATED_ACTIONS)[number];

/**
 * The actions that run an operator hook (a side effect outside dbops), by the hook's name. They heartbeat while
 * the hook runs, so a lost worker is noticed within the step's heartbeatSeconds; when one times out, the hook may
 * have run.
 */
export const HOOK_ACTIONS: Partial<Record<AutomatedAction, string>> = { executeFailover: 'failover' };

/** The failure type a hook action throws when it had to stop its hook mid-run: the hook may have done its work. */
export const OUTCOME_UNKNOWN = 'OutcomeUnknown';

export interface AutomatedStep {
  id: string;
  title: string;
  kind: 'automated';
  action: AutomatedAction;
  /** Per attempt. */
  timeoutSeconds: number;
  /** Attempts before the step counts as failed and waits for a human decision. */
  maxAttempts: number;
  /** Only for HOOK_ACTIONS: an attempt whose worker sent no heartbeat for this long has failed (its worker is lost). */
  heartbeatSeconds?: number;
  /** When set, the step waits for an approval by someone holding one of these roles (e.g. failover). */
  approvalRoles?: Role[];
}

export interface ManualStep {
  id: string;
  title: string;
  kind: 'manual';
  /** Minutes after the step becomes current by which a person should have completed it. */
  dueMinutes: number;
  /** Minutes between reminders while the step is open. */
  reminderMinutes: number;
}

/**
 * The step of an unclassified incident: a person names its real type (the `classify` action), and the incident then
 * runs that type's steps. Reminds like a manual step until then.
 */
export interface ClassifyStep {
  id: 'classify';
  title: string;
  kind: 'classify';
  dueMinutes: number;
  reminderMinutes: number;
}

/**
 * A declarative SQL probe (a runbook file's own check, no code): one SELECT run by the `runProbe` activity in a READ ONLY
 * transaction with a statement timeout, against the tier's primary (its connection from the environment variable the
 * runbook names). The first row's `thresholds.column` gives pass, warn or fail; `evidence` is a line built from the row.
 */
export interface ProbeStep {
  id: string;
  title: string;
  kind: 'probe';
  sql: string;
  /** The statement timeout, and the attempt's (with a few seconds' grace to connect). */
  timeoutSeconds: number;
  maxAttempts: number;
  thresholds: ProbeThresholds;
  /** A line over the first row's columns, e.g. "{{replicas}} replicas, {{lag_seconds}} s behind". */
  evidence: string;
}

/** A numeric column's bounds: above warnAbove warns, above failAbove fails (or below warnBelow/failBelow). */
export interface ProbeThresholds {
  column: string;
  warnAbove?: number;
  failAbove?: number;
  warnBelow?: number;
  failBelow?: number;
}

/** What the `runProbe` activity needs: the probe as the plan froze it, and where the tier's connection string lives. */
export interface ProbeRequest {
  sql: string;
  timeoutSeconds: number;
  thresholds: ProbeThresholds;
  evidence: string;
  connectionEnv?: string;
}

export type RunbookStep = AutomatedStep | ManualStep | ClassifyStep | ProbeStep;

export interface IncidentTypeDefinition {
  id: IncidentTypeId;
  name: string;
  /** The type's own response time (seed: "Response Time"). */
  responseMinutes: number;
  defaultSeverity: Severity;
  /** Escalation path as the seed writes it for this type, first role first. */
  escalationPath: Role[];
  steps: RunbookStep[];
  /**
   * How many times the ladder starts again from its first rung after its top rung went unanswered; absent: until
   * someone acknowledges. After the last pass the top rung repeats at the severity's cadence (never silent).
   */
  ladderPasses?: number;
  /** Minutes an acknowledgement holds without an update, per severity (runbooks/alertLifecycle.ts has the defaults). */
  ackTimeoutMinutes?: Partial<Record<Severity, number>>;
  /** Seconds an alert's breach must hold before the incident pages (a routing rule's holdForSeconds wins); default 0. */
  holdForSeconds?: number;
  /** Minutes in which a cleared alert firing again reopens the incident it closed (a routing rule's wins); default 0. */
  reopenWithinMinutes?: number;
}

export type EscalationCadence = { kind: 'immediate' } | { kind: 'after-minutes'; minutes: number } | { kind: 'next-business-day' };

export interface SeverityDefinition {
  id: Severity;
  description: string;
  responseMinutes: number;
  escalation: EscalationCadence;
}

export interface EscalationLevelDefinition {
  level: 1 | 2 | 3;
  name: string;
  primary: Role;
  secondary: Role;
  responseMinutes: number;
}

export interface TierDefinition {
  id: Tier;
  name: string;
  database: string;
  pool: { min: number; max: number };
}

export interface ExternalContact {
  name: string;
  contact: string;
}

export interface BusinessCalendar {
  timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  workdays: number[];
  /** Local hour at which a business day starts. */
  dayStartHour: number;
}
