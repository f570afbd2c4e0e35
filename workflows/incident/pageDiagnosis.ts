import type { FallbackRung, PageDiagnosis } from '../../activities/contracts';
import { levelLabel } from '../../runbooks/ladderLevels';
import { clipText } from '../../runbooks/limits';
import type { IncidentPlan } from '../../runbooks/plan';
import type { IncidentState } from './messages';

/** A check's finding as a page shows it: enough to judge, never a dump (the incident's page has the rest). */
const SUMMARY_SHOWN = 300;

/** What a page says is wrong and what to do, from the incident's state when the page is decided. */
export function pageDiagnosis(plan: IncidentPlan, s: IncidentState, level: number, pass: number): PageDiagnosis {
  const next = s.stepsAborted ? undefined : s.steps[s.currentStep];
  return {
    incidentId: s.incidentId,
    title: s.title,
    severity: s.severity,
    type: plan.type.name,
    tier: s.tier,
    level: levelLabel(level, pass),
    respondBy: s.escalation.responseDueAt,
    timeZone: plan.calendar.timeZone,
    checks: s.steps
      .filter((step) => (step.kind === 'automated' || step.kind === 'probe') && step.outcome)
      .map((step) => ({
        title: step.title,
        outcome: step.outcome,
        ...(step.summary && { summary: clipText(step.summary, SUMMARY_SHOWN) }),
      })),
    ...(next && { nextStep: { title: next.title, status: next.status } }),
    pagedBefore: s.paged ?? [],
  };
}

/** The rungs above `level`, in the order the ladder climbs: where a gap in the page's own rung is paged instead. */
export const rungsAbove = (plan: IncidentPlan, level: number): FallbackRung[] =>
  plan.ladder.slice(level + 1).map((rung, i) => ({ level: level + 2 + i, roles: rung.roles }));
