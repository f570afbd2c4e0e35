import { DEFAULT_ACTION_POLICY, type ActionPolicy } from './actionPolicy';
import { BUILT_IN_ROUTING, type RoutingConfig } from './alertRouting';
import { CHECKLISTS, type ChecklistDefinition } from './checklists';
import { GENERAL_ESCALATION_PATH } from './escalationLevels';
import { INCIDENT_TYPES } from './incidentTypes';
import { TIER_DEFINITIONS } from './tiers';
import { TOPOLOGY } from './topology';
import { ROLES, type IncidentTypeDefinition, type Role, type Tier } from './types';
import type { RunbookReview } from './runbookReviews';
import { RUNBOOK_VERSION } from './version';
import type { RunbookTier, TierDatabase } from './runbookTier';

export type { RunbookTier, TierDatabase } from './runbookTier';

/**
 * The team's runbook as dbops runs it: everything an incident, a checklist or an alert's routing reads, loaded from
 * the runbook file (config/runbook.yaml) and validated as a whole. An incident freezes what it needs into its plan
 * when it opens (runbooks/plan.ts), so a new version of the file only changes incidents opened after it.
 */
export interface Runbook {
  /** The file's content hash (lib/runbookFile.ts), or the shipped catalog's version: recorded in every incident's audit. */
  version: string;
  /** Where it was read from, for messages. */
  source: string;
  roles: Role[];
  /** The general escalation path the ladder climbs after a type's own path (database lead → … → CEO). */
  generalEscalationPath: Role[];
  tiers: Record<Tier, RunbookTier>;
  incidentTypes: Record<string, IncidentTypeDefinition>;
  checklists: Record<string, ChecklistDefinition>;
  routing: RoutingConfig;
  actionPolicy: ActionPolicy;
  /** Each runbook's last review, by incident type (none: never reviewed); reports list the overdue ones. */
  reviews: Record<string, RunbookReview>;
  /** Days between reviews unless a runbook's review says otherwise. */
  reviewCycleDays: number;
}

/** The runbook compiled into dbops (the seed's): what config/runbook.yaml holds, and what runs without a file. */
export const BUILT_IN_RUNBOOK: Runbook = {
  version: RUNBOOK_VERSION,
  source: 'built-in',
  roles: [...ROLES],
  generalEscalationPath: GENERAL_ESCALATION_PATH,
  tiers: Object.fromEntries(
    Object.values(TIER_DEFINITIONS).map((t) => {
      const topology = TOPOLOGY[t.id];
      const envName = `DBOPS_TIER_${t.id.toUpperCase()}_URL`;
      const databases: TierDatabase[] = [
        { name: topology.primary, role: 'primary', database: t.database, connectionEnv: envName },
        ...topology.replicas.map((name) => ({ name, role: 'replica' as const })),
      ];
      return [t.id, { name: t.name, pool: t.pool, databases, dependsOn: topology.dependsOn }];
    }),
  ),
  incidentTypes: INCIDENT_TYPES,
  checklists: CHECKLISTS,
  routing: BUILT_IN_ROUTING,
  actionPolicy: DEFAULT_ACTION_POLICY,
  // The seed guide: "Review Cycle: Monthly", and no review recorded.
  reviews: {},
  reviewCycleDays: 30,
};

/** The tier's primary database (the one probes run against). */
export const primaryOf = (tier: RunbookTier): TierDatabase | undefined => tier.databases.find((d) => d.role === 'primary');

/** The runbook a process reads now: the one in force (its file, reloaded when it changes), or the built-in one without a file. */
export const runbookNow = (inForce?: () => Runbook): Runbook => inForce?.() ?? BUILT_IN_RUNBOOK;
