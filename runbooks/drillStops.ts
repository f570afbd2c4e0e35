import { HOOK_ACTIONS, type AutomatedAction, type AutomatedStep } from './types';

/** Steps that reach outside dbops' own reads: stakeholders hear of a real incident only. */
const OUTSIDE_ACTIONS: readonly AutomatedAction[] = ['notifyStakeholders'];

/**
 * Why a drill stops before this automated step acts (docs/drills.md), or undefined when it runs as in an incident:
 * an approval-gated step (failover), a hook (a side effect outside dbops) and a notice to stakeholders are not run.
 */
export function drillStopsBefore(step: AutomatedStep): string | undefined {
  if (step.approvalRoles?.length) return `approval-gated (${step.approvalRoles.join(', ')})`;
  const hook = HOOK_ACTIONS[step.action];
  if (hook) return `runs the ${hook} hook`;
  if (OUTSIDE_ACTIONS.includes(step.action)) return 'tells people outside the team';
  return undefined;
}
