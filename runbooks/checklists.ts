import type { ChecklistId, IncidentTypeId, Role, Severity, Tier } from './types';

/** The automated checks a checklist item may run; each is the activity `runChecklistCheck` with this name. */
export const CHECKLIST_CHECKS = [
  'connectionPools',
  'backups',
  'errorReview',
  'queueHealth',
  'storageGrowth',
  'contentRetention',
  'queryPerformance',
  'indexUsage',
  'resourceUtilisation',
  'securityEvents',
  'dailyReport',
  'alertReview',
] as const;
export type ChecklistCheck = (typeof CHECKLIST_CHECKS)[number];

export interface AutomatedChecklistItem {
  id: string;
  title: string;
  kind: 'automated';
  check: ChecklistCheck;
  /** Tiers the check runs on, each separately; omitted means once, not per tier (reports, reviews). */
  tiers?: Tier[] | 'all';
}

export interface ManualChecklistItem {
  id: string;
  title: string;
  kind: 'manual';
  /** Who may sign the item off. */
  signOffRoles: Role[];
  /** Minutes after the checklist starts by which the item should be signed off. */
  dueMinutes: number;
}

export type ChecklistItemDefinition = AutomatedChecklistItem | ManualChecklistItem;

export interface ChecklistDefinition {
  id: ChecklistId;
  name: string;
  /** Local time of day ("HH:MM") in the configured zone. */
  time: string;
  items: ChecklistItemDefinition[];
  /** Minutes after the start at which the run closes; items still unsigned then end as 'fail'. */
  closeAfterMinutes: number;
}

const SIGNERS: Role[] = ['on-call-engineer', 'database-lead', 'backup-engineer', 'senior-engineer'];

/** Seed: "Daily Operations Checklist". */
export const CHECKLISTS: Record<ChecklistId, ChecklistDefinition> = {
  morning: {
    id: 'morning',
    name: 'Morning Health Check',
    time: '09:00',
    closeAfterMinutes: 8 * 60,
    items: [
      {
        id: 'dashboard-review',
        title: 'PostHog dashboard review: database performance metrics',
        kind: 'manual',
        signOffRoles: SIGNERS,
        dueMinutes: 60,
      },
      {
        id: 'connection-pool-status',
        title: 'Connection pool status on every tier',
        kind: 'automated',
        check: 'connectionPools',
        tiers: 'all',
      },
      {
        id: 'backup-verification',
        title: 'Backup verification: last successful WAL archive, failures',
        kind: 'automated',
        check: 'backups',
        tiers: 'all',
      },
      {
        id: 'error-log-review',
        title: 'Error review: deadlocks, rollbacks, temp files',
        kind: 'automated',
        check: 'errorReview',
        tiers: 'all',
      },
      {
        id: 'queue-health',
        title: 'Queue health: processing rates and backlog',
        kind: 'automated',
        check: 'queueHealth',
        tiers: ['queue'],
      },
      { id: 'storage-usage', title: 'Storage usage and growth against yesterday', kind: 'automated', check: 'storageGrowth', tiers: 'all' },
      {
        id: 'content-retention',
        title: 'Content retention (30-day window)',
        kind: 'automated',
        check: 'contentRetention',
        tiers: ['content'],
      },
    ],
  },
  midday: {
    id: 'midday',
    name: 'Midday Performance Review',
    time: '13:00',
    closeAfterMinutes: 4 * 60,
    items: [
      {
        id: 'query-performance',
        title: 'Query performance: slow and long-running queries',
        kind: 'automated',
        check: 'queryPerformance',
        tiers: 'all',
      },
      { id: 'index-usage', title: 'Index usage: unused and oversized indexes', kind: 'automated', check: 'indexUsage', tiers: 'all' },
      {
        id: 'resource-utilisation',
        title: 'Resource utilisation: cache hit ratio, temp files, connections',
        kind: 'automated',
        check: 'resourceUtilisation',
        tiers: 'all',
      },
      {
        id: 'security-events',
        title: 'Security events: superuser sessions, unknown client addresses',
        kind: 'automated',
        check: 'securityEvents',
        tiers: 'all',
      },
    ],
  },
  'end-of-day': {
    id: 'end-of-day',
    name: 'End-of-Day Review',
    time: '17:00',
    closeAfterMinutes: 4 * 60,
    items: [
      { id: 'daily-reports', title: "Daily report: today's incidents and checklist results", kind: 'automated', check: 'dailyReport' },
      {
        id: 'maintenance-tasks',
        title: 'Scheduled maintenance activities completed',
        kind: 'manual',
        signOffRoles: SIGNERS,
        dueMinutes: 90,
      },
      { id: 'alert-review', title: 'Alert review: incidents still open', kind: 'automated', check: 'alertReview' },
      {
        id: 'tomorrow-preparation',
        title: "Tomorrow's maintenance and deployments prepared",
        kind: 'manual',
        signOffRoles: SIGNERS,
        dueMinutes: 120,
      },
    ],
  },
};

/** Which incident a breached threshold opens (fingerprint = the threshold, so alerts using it join the same one). */
export const BREACH_INCIDENTS: Record<string, { type: IncidentTypeId; severity: Severity }> = {
  'pool-usage': { type: 'connection-pool-exhaustion', severity: 'high' },
  'query-time': { type: 'performance-degradation', severity: 'medium' },
  'queue-backlog': { type: 'performance-degradation', severity: 'medium' },
  'storage-growth': { type: 'performance-degradation', severity: 'low' },
  security: { type: 'security-breach', severity: 'critical' },
};
