import { SEVERITIES, type SeverityDefinition, type Severity } from './types';

/** Seed: "Severity Levels & Response Times". */
export const SEVERITY_DEFINITIONS: Record<Severity, SeverityDefinition> = {
  critical: { id: 'critical', description: 'Complete service outage', responseMinutes: 5, escalation: { kind: 'immediate' } },
  high: {
    id: 'high',
    description: 'Major functionality impaired',
    responseMinutes: 15,
    escalation: { kind: 'after-minutes', minutes: 30 },
  },
  medium: {
    id: 'medium',
    description: 'Minor functionality issues',
    responseMinutes: 60,
    escalation: { kind: 'after-minutes', minutes: 240 },
  },
  low: { id: 'low', description: 'Performance degradation', responseMinutes: 240, escalation: { kind: 'next-business-day' } },
};

/** Whether `to` is less severe than `from` (a downgrade: its pages would come later). */
export const isLowerSeverity = (from: Severity, to: Severity): boolean => SEVERITIES.indexOf(to) > SEVERITIES.indexOf(from);
