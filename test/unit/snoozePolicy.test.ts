import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_ACTION_POLICY, type PolicyFacts } from '../../runbooks/actionPolicy';
import { lifecyclePlan, SEVERITY_LIFECYCLE } from '../../runbooks/alertLifecycle';
import { formatDuration, parseDuration } from '../../runbooks/duration';
import { INCIDENT_TYPES } from '../../runbooks/incidentTypes';

/** Snooze's rules, its durations as people type them, and the lifecycle plan an incident freezes. */
describe('snooze policy and durations', () => {
  const facts = (actor: string, roles: string[], reason?: string): PolicyFacts => ({
    actor,
    actorRoles: roles as PolicyFacts['actorRoles'],
    ladderRoles: ['on-call-engineer', 'database-lead', 'engineering-manager'],
    paged: ['oscar', 'dana'],
    severity: 'high',
    reason,
  });

  it('a responder snoozes with a reason; a bystander or the team at large may not; anyone on the roster may wake it', () => {
    expect(decide(DEFAULT_ACTION_POLICY, 'snooze', facts('oscar', ['on-call-engineer'], 'vendor ETA 10:30')).allowed).toBe(true);
    expect(decide(DEFAULT_ACTION_POLICY, 'snooze', facts('oscar', ['on-call-engineer']))).toMatchObject({
      allowed: false,
      missing: 'reason',
    });
    expect(decide(DEFAULT_ACTION_POLICY, 'snooze', facts('bea', ['senior-engineer'], 'r'))).toMatchObject({
      allowed: false,
      missing: 'entitlement',
      rule: { id: 'snooze' },
    });
    expect(decide(DEFAULT_ACTION_POLICY, 'snooze', facts('lee', ['legal'], 'r')).allowed).toBe(false);
    expect(decide(DEFAULT_ACTION_POLICY, 'unsnooze', facts('lee', ['legal'])).allowed).toBe(true);
  });

  it('reads durations as typed and refuses anything else', () => {
    expect(['90s', '45m', '2h', '1h30m', '1h0m5s'].map(parseDuration)).toEqual([90_000, 2_700_000, 7_200_000, 5_400_000, 3_605_000]);
    expect(['', '0m', 'soon', '30', '1.5h', '30m1h', '-5m'].map(parseDuration)).toEqual(Array(7).fill(undefined));
    expect([90_000, 5_400_000, 14_400_000].map(formatDuration)).toEqual(['1m30s', '1h30m', '4h']);
  });

  it("freezes the severity's timers, the type's overrides and the routing rule's flap settings over the type's", () => {
    const plan = lifecyclePlan({ ...INCIDENT_TYPES['connection-pool-exhaustion'], ackTimeoutMinutes: { high: 45 }, holdForSeconds: 30 });
    expect(plan.severities.high).toEqual({ ...SEVERITY_LIFECYCLE.high, ackTimeoutMinutes: 45 });
    expect(plan.severities.critical).toEqual(SEVERITY_LIFECYCLE.critical);
    expect([plan.holdForSeconds, plan.reopenWithinMinutes]).toEqual([30, 0]);
    const ruled = lifecyclePlan(INCIDENT_TYPES['connection-pool-exhaustion'], { holdForSeconds: 60, reopenWithinMinutes: 30 });
    expect([ruled.holdForSeconds, ruled.reopenWithinMinutes]).toEqual([60, 30]);
  });
});
