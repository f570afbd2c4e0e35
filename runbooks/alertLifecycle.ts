import type { IncidentTypeDefinition, Severity } from './types';

/**
 * The alert lifecycle's timers (issue 25): how long an acknowledgement holds without an update, how long an incident
 * may be snoozed, how long a breach must hold before it pages, and how soon a cleared alert that fires again reopens
 * its incident. Pure data: the plan freezes the values an incident runs with when it opens.
 */
export interface SeverityLifecycle {
  /** An acknowledged incident with no update (note, step, severity change) for this long reminds its acknowledger. */
  ackTimeoutMinutes: number;
  /** After the reminder, this much more without an update and the incident returns to escalation. */
  ackGraceMinutes: number;
  /** The longest snooze a person may ask for (`dbops incident snooze --for`). */
  snoozeMaxMinutes: number;
}

/**
 * Defaults a database team signs. An outage (critical) has people working it: half an hour without a word from the
 * acknowledger (no note, no step) is the cadence a major incident's status update keeps, and ten minutes more means
 * nobody is on it, so the ladder pages again. High: hourly, as the runbook's high escalation (30 min) doubled. Medium:
 * the severity's own escalation cadence (4 h). Low: a working day. Snoozes are bounded below each severity's pain: an
 * outage at most an hour (a vendor's fix ETA), high a half-shift, medium a day, low over a weekend (3 days).
 */
export const SEVERITY_LIFECYCLE: Record<Severity, SeverityLifecycle> = {
  critical: { ackTimeoutMinutes: 30, ackGraceMinutes: 10, snoozeMaxMinutes: 60 },
  high: { ackTimeoutMinutes: 60, ackGraceMinutes: 15, snoozeMaxMinutes: 240 },
  medium: { ackTimeoutMinutes: 240, ackGraceMinutes: 30, snoozeMaxMinutes: 1_440 },
  low: { ackTimeoutMinutes: 1_440, ackGraceMinutes: 60, snoozeMaxMinutes: 4_320 },
};

/**
 * What a routing rule (or an incident type) sets for its alerts' flapping. Both default to 0, today's behaviour: a
 * breach pages at once, and a firing after its clearing closed the incident opens a new one. docs/alert-lifecycle.md
 * recommends values (a pool alert held 60 s and reopened within 30 min, say).
 */
export interface FlapSettings {
  holdForSeconds?: number;
  reopenWithinMinutes?: number;
}

/** What an incident's plan carries of the lifecycle: the type's overrides applied to the defaults. */
export interface LifecyclePlan {
  severities: Record<Severity, SeverityLifecycle>;
  /** Seconds an alert's breach must hold before its incident pages (0: at once). */
  holdForSeconds: number;
  /** Minutes during which a cleared alert that fires again reopens the incident its clearing closed (0: never). */
  reopenWithinMinutes: number;
}

/** The routing rule's flap settings win over the type's. */
export function lifecyclePlan(type: IncidentTypeDefinition, flap: FlapSettings = {}): LifecyclePlan {
  const severities = Object.fromEntries(
    Object.entries(SEVERITY_LIFECYCLE).map(([severity, d]) => [
      severity,
      { ...d, ackTimeoutMinutes: type.ackTimeoutMinutes?.[severity as Severity] ?? d.ackTimeoutMinutes },
    ]),
  ) as Record<Severity, SeverityLifecycle>;
  return {
    severities,
    holdForSeconds: flap.holdForSeconds ?? type.holdForSeconds ?? 0,
    reopenWithinMinutes: flap.reopenWithinMinutes ?? type.reopenWithinMinutes ?? 0,
  };
}
