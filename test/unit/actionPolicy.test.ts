import { describe, expect, it } from 'vitest';
import { ACTIONS, decide, DEFAULT_ACTION_POLICY, type Action, type PolicyFacts } from '../../runbooks/actionPolicy';
import { levelLabel, nextRung } from '../../runbooks/ladderLevels';

/** The action policy as a table: who may do what on a critical database outage, as a team would sign it. */
describe('action policy', () => {
  // A critical outage's ladder: on-call + database lead, CTO, CEO. oscar was paged; nobody has acknowledged.
  const outage = (actor: string, roles: string[], more: Partial<PolicyFacts> = {}): PolicyFacts => ({
    actor,
    actorRoles: roles as PolicyFacts['actorRoles'],
    ladderRoles: ['on-call-engineer', 'database-lead', 'cto', 'ceo'],
    paged: ['oscar', 'dana', 'chris', 'ceo-person'],
    severity: 'critical',
    stepApprovalRoles: ['database-lead', 'engineering-manager', 'cto'],
    ...more,
  });
  const oscar = outage('oscar', ['on-call-engineer']);
  const pat = outage('pat', ['product-owner']);
  const lee = outage('lee', ['legal']);
  const erin = outage('erin', ['engineering-manager']);
  const allowed = (action: Action, f: PolicyFacts) => decide(DEFAULT_ACTION_POLICY, action, f).allowed;

  it('has a rule for every action', () => {
    for (const action of ACTIONS) expect(DEFAULT_ACTION_POLICY.some((r) => r.action === action)).toBe(true);
  });

  it('a product owner may not lower an unacknowledged critical outage; the on-call may, with a reason', () => {
    const refused = decide(DEFAULT_ACTION_POLICY, 'lower-severity', { ...pat, reason: 'looks fine to me' });
    expect(refused).toMatchObject({ allowed: false, rule: { id: 'lower-severity.unacknowledged-urgent' } });
    expect(!refused.allowed && refused.why).toMatch(
      /a role on this incident's escalation ladder \(on-call-engineer, database-lead, cto, ceo\)/,
    );
    expect(allowed('lower-severity', { ...oscar, reason: 'one replica only' })).toBe(true);
    expect(decide(DEFAULT_ACTION_POLICY, 'lower-severity', oscar)).toMatchObject({ allowed: false, why: 'it takes a reason' });
  });

  it('once acknowledged, lowering takes a responder of the incident (the acknowledger counts), still with a reason', () => {
    const acked = { acknowledgedBy: 'erin', reason: 'contained' };
    expect(decide(DEFAULT_ACTION_POLICY, 'lower-severity', { ...erin, ...acked }).rule.id).toBe('lower-severity');
    expect(allowed('lower-severity', { ...erin, ...acked })).toBe(true);
    expect(allowed('lower-severity', { ...pat, ...acked })).toBe(false);
  });

  it('approvals take the step’s approver roles; retry, skip, abort and resolve take a responder', () => {
    expect(allowed('approve-step', erin)).toBe(true);
    expect(allowed('approve-step', oscar)).toBe(false);
    expect(allowed('approve-step', lee)).toBe(false);
    for (const action of ['retry-step', 'skip-step', 'resolve', 'complete-step'] as Action[]) {
      expect(allowed(action, oscar), action).toBe(true);
      expect(allowed(action, lee), action).toBe(false);
      expect(allowed(action, pat), action).toBe(false);
    }
    expect(allowed('abort-steps', { ...oscar, reason: 'manual failover done' })).toBe(true);
    expect(allowed('abort-steps', oscar)).toBe(false);
  });

  it('anyone on the roster may add a note; acknowledging takes a responder or the operations team', () => {
    expect(allowed('note', pat)).toBe(true);
    expect(allowed('acknowledge', pat)).toBe(false);
    expect(allowed('acknowledge', erin)).toBe(true);
    expect(allowed('acknowledge', outage('integration:pd', ['monitoring-integration']))).toBe(true);
    // paged for it, whatever the role
    expect(allowed('acknowledge', { ...pat, paged: ['pat'] })).toBe(true);
  });

  it('signing a checklist item takes one of its sign-off roles', () => {
    expect(allowed('sign-checklist-item', { ...oscar, itemSignOffRoles: ['database-lead'] })).toBe(false);
    expect(allowed('sign-checklist-item', { ...oscar, itemSignOffRoles: ['on-call-engineer'] })).toBe(true);
  });
});

describe('ladder levels (policy: one numbering, and the ladder starts again from level 1)', () => {
  it('numbers levels from 1 and says the repeat', () => {
    expect(levelLabel(0)).toBe('level 1');
    expect(levelLabel(2, 1)).toBe('level 3, repeat 1');
  });

  it('climbs, then starts again from level 1; an immediate severity pages what is left, then the whole ladder; a limit repeats the top only', () => {
    expect(nextRung({ rung: 0, pass: 0 }, 2, { immediate: false })).toEqual({ levels: [1], pass: 0 });
    expect(nextRung({ rung: 2, pass: 0 }, 2, { immediate: false })).toEqual({ levels: [0], pass: 1 });
    expect(nextRung({ rung: 0, pass: 0 }, 2, { immediate: true })).toEqual({ levels: [1, 2], pass: 0 });
    expect(nextRung({ rung: 2, pass: 0 }, 2, { immediate: true })).toEqual({ levels: [0, 1, 2], pass: 1 });
    expect(nextRung({ rung: 2, pass: 1 }, 2, { immediate: false, passes: 1 })).toEqual({ levels: [2], pass: 1 });
  });
});
