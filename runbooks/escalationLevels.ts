import type { EscalationLevelDefinition, ExternalContact, Role } from './types';

/** Seed: "Escalation Contacts". */
export const ESCALATION_LEVELS: EscalationLevelDefinition[] = [
  { level: 1, name: 'Database Operations Team', primary: 'database-lead', secondary: 'on-call-engineer', responseMinutes: 0 },
  { level: 2, name: 'Engineering Management', primary: 'engineering-manager', secondary: 'senior-engineer', responseMinutes: 30 },
  { level: 3, name: 'Executive Leadership', primary: 'cto', secondary: 'ceo', responseMinutes: 60 },
];

/** Seed: "Escalation Path: Database Lead → Engineering Manager → CTO → CEO". */
export const GENERAL_ESCALATION_PATH: Role[] = ['database-lead', 'engineering-manager', 'cto', 'ceo'];

/** Seed: "External Support". */
export const EXTERNAL_CONTACTS: ExternalContact[] = [
  { name: 'Database Vendor (PostgreSQL Community)', contact: 'https://support.postgresql.org' },
  { name: 'Cloud Provider', contact: 'https://console.aws.amazon.com/support' },
  { name: 'Security Incident', contact: 'security@penguinmails.com +1-555-SEC-HELP' },
];
