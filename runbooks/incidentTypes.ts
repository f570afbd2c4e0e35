import type { IncidentTypeDefinition, IncidentTypeId, Role } from './types';

const FAILOVER_APPROVERS: Role[] = ['database-lead', 'engineering-manager', 'cto'];

/**
 * Seed: "Critical Incident Types & Immediate Actions" and "First Response Procedures".
 * Steps run in order; automated ones are activities, manual ones wait for a person.
 */
export const INCIDENT_TYPES: Record<IncidentTypeId, IncidentTypeDefinition> = {
  'database-outage': {
    id: 'database-outage',
    name: 'Database Outage',
    responseMinutes: 5,
    defaultSeverity: 'critical',
    escalationPath: ['database-lead', 'cto'],
    steps: [
      {
        id: 'check-service-status',
        title: 'Check service status (admin panel /status)',
        kind: 'automated',
        action: 'checkServiceStatus',
        timeoutSeconds: 10,
        maxAttempts: 3,
      },
      {
        id: 'check-monitoring-alerts',
        title: 'Check monitoring alerts (query time > 5 s, pool > 90 %)',
        kind: 'automated',
        action: 'checkMonitoringAlerts',
        timeoutSeconds: 15,
        maxAttempts: 3,
      },
      {
        id: 'check-connectivity',
        title: 'Check database connectivity (SELECT 1)',
        kind: 'automated',
        action: 'checkConnectivity',
        timeoutSeconds: 10,
        maxAttempts: 3,
      },
      {
        id: 'check-connection-pools',
        title: 'Check connection pools against tier limits',
        kind: 'automated',
        action: 'checkConnectionPools',
        timeoutSeconds: 15,
        maxAttempts: 3,
      },
      {
        id: 'execute-failover',
        title: 'Execute failover',
        kind: 'automated',
        action: 'executeFailover',
        timeoutSeconds: 120,
        maxAttempts: 1,
        heartbeatSeconds: 10,
        approvalRoles: FAILOVER_APPROVERS,
      },
    ],
  },
  'connection-pool-exhaustion': {
    id: 'connection-pool-exhaustion',
    name: 'Connection Pool Exhaustion',
    responseMinutes: 10,
    defaultSeverity: 'high',
    escalationPath: ['database-lead'],
    steps: [
      {
        id: 'monitor-pools',
        title: 'Monitor pools',
        kind: 'automated',
        action: 'checkConnectionPools',
        timeoutSeconds: 15,
        maxAttempts: 3,
      },
      { id: 'adjust-configurations', title: 'Adjust pool configurations', kind: 'manual', dueMinutes: 30, reminderMinutes: 10 },
      { id: 'restart-services', title: 'Restart services if needed', kind: 'manual', dueMinutes: 60, reminderMinutes: 15 },
    ],
  },
  'data-integrity': {
    id: 'data-integrity',
    name: 'Data Integrity Issues',
    responseMinutes: 15,
    defaultSeverity: 'high',
    escalationPath: ['database-lead', 'product-owner'],
    steps: [
      { id: 'identify-scope', title: 'Identify scope', kind: 'manual', dueMinutes: 30, reminderMinutes: 10 },
      { id: 'quarantine-data', title: 'Quarantine affected data', kind: 'manual', dueMinutes: 60, reminderMinutes: 15 },
      { id: 'begin-recovery', title: 'Begin recovery procedures', kind: 'manual', dueMinutes: 120, reminderMinutes: 30 },
    ],
  },
  'performance-degradation': {
    id: 'performance-degradation',
    name: 'Performance Degradation',
    responseMinutes: 30,
    defaultSeverity: 'medium',
    escalationPath: ['database-lead'],
    steps: [
      {
        id: 'check-queries',
        title: 'Check active queries (pg_stat_activity, > 5 s flagged)',
        kind: 'automated',
        action: 'checkActiveQueries',
        timeoutSeconds: 15,
        maxAttempts: 3,
      },
      {
        id: 'check-pool-metrics',
        title: 'Check connection pool metrics',
        kind: 'automated',
        action: 'checkConnectionPools',
        timeoutSeconds: 15,
        maxAttempts: 3,
      },
      {
        id: 'review-index-usage',
        title: 'Review index usage',
        kind: 'automated',
        action: 'checkIndexUsage',
        timeoutSeconds: 30,
        maxAttempts: 3,
      },
      { id: 'optimize-indexes', title: 'Optimize indexes', kind: 'manual', dueMinutes: 120, reminderMinutes: 30 },
      { id: 'scale-resources', title: 'Scale resources', kind: 'manual', dueMinutes: 240, reminderMinutes: 60 },
    ],
  },
  unclassified: {
    id: 'unclassified',
    name: 'Unclassified Alert',
    responseMinutes: 15,
    defaultSeverity: 'high',
    // The on-call ladder's first rung (on-call engineer, database lead), then the general path.
    escalationPath: ['database-lead'],
    steps: [
      { id: 'classify', title: 'Classify the alert as one of the incident types', kind: 'classify', dueMinutes: 15, reminderMinutes: 5 },
    ],
  },
  'security-breach': {
    id: 'security-breach',
    name: 'Security Breach',
    responseMinutes: 5,
    defaultSeverity: 'critical',
    escalationPath: ['security-team', 'legal'],
    steps: [
      { id: 'contain', title: 'Contain', kind: 'manual', dueMinutes: 15, reminderMinutes: 5 },
      {
        id: 'investigate',
        title: 'Investigate: superuser sessions and connections from unknown addresses',
        kind: 'automated',
        action: 'checkSecurityEvents',
        timeoutSeconds: 15,
        maxAttempts: 3,
      },
      { id: 'document', title: 'Document', kind: 'manual', dueMinutes: 120, reminderMinutes: 30 },
      {
        id: 'notify-stakeholders',
        title: 'Notify stakeholders',
        kind: 'automated',
        action: 'notifyStakeholders',
        timeoutSeconds: 30,
        maxAttempts: 5,
      },
    ],
  },
};
