import type { IncidentPlan } from '../../runbooks/plan';
import type { RearmableDeadline } from '../shared/deadline';
import type { IncidentAudit } from './incidentAudit';
import type { IncidentState, IncidentTrigger } from './messages';
import type { IncidentVersion } from './versions';

/** What the parts of one incident run share: its frozen plan, its live state, its recorder and its clock. */
export interface IncidentContext {
  plan: IncidentPlan;
  s: IncidentState;
  audit: IncidentAudit;
  /** Re-armed by every Update that may move the ladder's clocks, so the ladder looks again. */
  deadline: RearmableDeadline;
  /** Which patches this run follows. */
  version: IncidentVersion;
  /** Alert-lifecycle runs: what the handlers tell the workflow's loops (workflows/incident/flapping.ts). */
  lifecycle: {
    /** A firing that arrived while the incident, closed by its alert, waits out its reopen window. */
    reopenRequest?: IncidentTrigger;
    /** Alert keys whose end this run recorded (a reopen forgets them: the alert may clear again). */
    endsRecorded: Set<string>;
  };
}

export const isResolved = (s: IncidentState): boolean => s.phase === 'resolved';
