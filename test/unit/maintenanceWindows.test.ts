import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_ACTION_POLICY } from '../../runbooks/actionPolicy';
import { MAX_WINDOW_HOURS, nextOccurrence, occurrencesBetween, type WindowTiming } from '../../runbooks/maintenance';
import { planWindow } from '../../runbooks/maintenanceRequest';
import { windowHolds } from '../../runbooks/maintenanceScope';

/** Maintenance windows as pure data: occurrences in a zone's wall clock across DST, scope, every window ends. */
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);

describe('maintenance window occurrences', () => {
  // Every Sunday 01:00–04:00 Europe/Berlin: the clocks change at 02:00 (March) and 03:00 (October), inside the window.
  const sundays: WindowTiming = {
    kind: 'weekly',
    days: ['sun'],
    startTime: '01:00',
    endTime: '04:00',
    timeZone: 'Europe/Berlin',
    from: at('2027-03-01T00:00:00Z'),
    until: at('2027-12-01T00:00:00Z'),
  };

  it('is two hours long on the night clocks go forward and four on the night they go back (wall clock, not duration)', () => {
    const march = occurrencesBetween(sundays, at('2027-03-20T00:00:00Z'), at('2027-04-05T00:00:00Z'));
    expect(march.map((o) => [iso(o.start), iso(o.end)])).toEqual([
      ['2027-03-21T00:00:00.000Z', '2027-03-21T03:00:00.000Z'], // CET: 01:00–04:00 = 00:00–03:00 UTC
      ['2027-03-28T00:00:00.000Z', '2027-03-28T02:00:00.000Z'], // 01:00 CET – 04:00 CEST: 2 hours
      ['2027-04-03T23:00:00.000Z', '2027-04-04T02:00:00.000Z'], // CEST: 01:00–04:00 = 23:00–02:00 UTC
    ]);
    const october = occurrencesBetween(sundays, at('2027-10-30T00:00:00Z'), at('2027-11-01T00:00:00Z'));
    // 01:00 CEST (23:00 UTC on Saturday) to 04:00 CET (03:00 UTC): 4 hours, the repeated 02:00–03:00 inside.
    expect(october.map((o) => [iso(o.start), iso(o.end)])).toEqual([['2027-10-30T23:00:00.000Z', '2027-10-31T03:00:00.000Z']]);
  });

  it('an occurrence under way is the next one until it ends; none is left after until', () => {
    expect(nextOccurrence(sundays, at('2027-03-28T01:30:00Z'))).toEqual({
      start: at('2027-03-28T00:00:00Z'),
      end: at('2027-03-28T02:00:00Z'),
    });
    expect(nextOccurrence(sundays, at('2027-03-28T02:00:00Z'))?.start).toBe(at('2027-04-03T23:00:00Z'));
    expect(nextOccurrence(sundays, at('2027-12-01T00:00:00Z'))).toBeUndefined();
  });

  it('an end at or before the start is on the next day (a night window)', () => {
    const nights: WindowTiming = { ...sundays, days: ['sat'], startTime: '22:00', endTime: '02:00' };
    expect(nextOccurrence(nights, at('2027-06-01T00:00:00Z'))).toEqual({
      start: at('2027-06-05T20:00:00Z'),
      end: at('2027-06-06T00:00:00Z'),
    });
  });
});

describe('making a window', () => {
  const now = at('2026-12-06T10:00:00Z');
  it('refuses a window without an end, longer than the maximum, or without a scope, naming what is accepted', () => {
    expect(planWindow({ reason: 'upgrade', tiers: ['oltp'] }, now)).toMatchObject({ error: expect.stringMatching(/needs an end/) });
    expect(planWindow({ reason: 'upgrade', tiers: ['oltp'], to: '2026-12-08T10:00:00Z' }, now)).toMatchObject({
      error: `from to to is 48 hours; a window lasts at most ${MAX_WINDOW_HOURS} hours`,
    });
    expect(planWindow({ reason: 'upgrade', to: '2026-12-06T12:00:00Z' }, now)).toMatchObject({
      error: expect.stringMatching(/needs a scope/),
    });
    expect(
      planWindow(
        {
          reason: 'r',
          tiers: ['oltp'],
          weekly: { days: ['sun'], start: '02:00', end: '04:00', timeZone: 'Europe/Berlin', until: '2028-12-06T00:00:00Z' },
        },
        now,
      ),
    ).toMatchObject({ error: expect.stringMatching(/more than 366 days ahead; every window ends/) });
    expect(planWindow({ reason: 'upgrade', tiers: ['oltp'], to: '2026-12-06T12:00:00Z' }, now)).toEqual({
      scope: { tiers: ['oltp'] },
      timing: { kind: 'once', start: now, end: at('2026-12-06T12:00:00Z') },
    });
  });

  it('holds what its scope names; a security breach only when the window names its type', () => {
    const scope = { tiers: ['oltp' as const], labels: { instance: { regex: 'oltp-replica-.*' } } };
    expect(windowHolds(scope, { type: 'performance-degradation', tier: 'oltp', labels: { instance: 'oltp-replica-1' } })).toBe(true);
    expect(windowHolds(scope, { type: 'performance-degradation', tier: 'oltp', labels: { instance: 'oltp-primary' } })).toBe(false);
    expect(windowHolds(scope, { type: 'performance-degradation', tier: 'content', labels: { instance: 'oltp-replica-1' } })).toBe(false);
    expect(windowHolds({ tiers: ['oltp'] }, { type: 'security-breach', tier: 'oltp', labels: {} })).toBe(false);
    expect(windowHolds({ tiers: ['oltp'], types: ['security-breach'] }, { type: 'security-breach', tier: 'oltp', labels: {} })).toBe(true);
  });

  it('is the maintenance planners’ to make, with a reason (the on-call engineer and bystanders are refused)', () => {
    const who = (actor: string, roles: string[], reason?: string) =>
      decide(DEFAULT_ACTION_POLICY, 'maintenance', { actor, actorRoles: roles as never, reason });
    expect(who('dana', ['database-lead'], 'upgrade').allowed).toBe(true);
    expect(who('bea', ['backup-engineer', 'senior-engineer'], 'upgrade').allowed).toBe(true);
    expect(who('pat', ['product-owner'], 'upgrade')).toMatchObject({ allowed: false, rule: { id: 'maintenance' }, missing: 'entitlement' });
    expect(who('oscar', ['on-call-engineer'], 'upgrade').allowed).toBe(false);
    expect(who('dana', ['database-lead'])).toMatchObject({ allowed: false, missing: 'reason' });
  });
});
