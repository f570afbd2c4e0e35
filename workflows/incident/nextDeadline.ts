import type { NextDeadline } from '../../activities/contracts';
import type { IncidentState } from './messages';

export type { NextDeadline };

/**
 * The incident's next deadline: while snoozed its clocks are paused until the snooze ends; unanswered, its response
 * deadline, then its next escalation once that has passed (an acknowledgement clears it; an acknowledgement timeout's
 * return to the ladder sets it again); none once resolved. Pure: the workflow writes it into the incidents row with each
 * audit event (snapshotOf), and the API computes it from a live state the same way.
 */
export function nextDeadlineOf(s: IncidentState): NextDeadline | undefined {
  if (s.phase === 'resolved') return undefined;
  if (s.snooze) return { at: s.snooze.until, what: 'snooze ends' };
  if (!s.acknowledgedBy && !s.escalation.responseMissed) return { at: s.escalation.responseDueAt, what: 'response due' };
  if (s.escalation.nextEscalationAt) return { at: s.escalation.nextEscalationAt, what: 'next escalation' };
  return undefined;
}
